rule reduce:
    """Reduce the pool's embeddings to reduce.dim dimensions, fitted on the pool: once per
    experiment (reduce/pool, PCA), or once per seed with that seed (reduce/seed<s>, UMAP); parquet,
    and the same vectors as a memory-mappable Arrow file that every later job reads."""
    input:
        f"{EMB}/pool.arrow",
    output:
        parquet=f"{OUT}/reduce/{{reduction}}.parquet",
        arrow=f"{OUT}/reduce/{{reduction}}.arrow",
    params:
        code=package_code("reduce.py"),
        method=config["reduce"]["method"],
        dim=config["reduce"]["dim"],
        seed=lambda w: int(w.reduction.removeprefix("seed")) if w.reduction != "pool" else 0,
    priority: CHAIN_PRIORITY
    threads: config["threads"]["reduce"]
    resources:
        **pool_resources("reduce"),
    log:
        f"{OUT}/logs/reduce_{{reduction}}.log",
    benchmark:
        f"{OUT}/benchmarks/reduce/{{reduction}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/reduce.py"
