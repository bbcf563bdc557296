rule reduce:
    """Reduce the pool's embeddings to reduce.dim dimensions, fitted on the pool: once per
    experiment (reduce/pool.parquet, PCA), or once per seed with that seed (reduce/seed<s>.parquet, UMAP)."""
    input:
        f"{EMB}/pool.parquet",
    output:
        f"{OUT}/reduce/{{reduction}}.parquet",
    params:
        code=package_code("reduce.py"),
        method=config["reduce"]["method"],
        dim=config["reduce"]["dim"],
        seed=lambda w: int(w.reduction.removeprefix("seed")) if w.reduction != "pool" else 0,
    threads: config["threads"]["reduce"]
    log:
        f"{OUT}/logs/reduce_{{reduction}}.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/reduce.py"
