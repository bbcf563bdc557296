rule reduce:
    """Reduce the pool's embeddings to reduce.dim dimensions, fitted on the pool."""
    input:
        f"{EMB}/pool.parquet",
    output:
        f"{OUT}/reduce/pool.parquet",
    params:
        method=config["reduce"]["method"],
        dim=config["reduce"]["dim"],
    threads: config["threads"]["reduce"]
    log:
        f"{OUT}/logs/reduce.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/reduce.py"
