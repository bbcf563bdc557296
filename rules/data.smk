rule data:
    """Load the pool and eval splits, clean the text, map labels to ids."""
    input:
        local_dataset_files,
    output:
        pool=f"{DATA}/pool.parquet",
        eval=f"{DATA}/eval.parquet",
        labels=f"{DATA}/labels.json",
    params:
        code=package_code("data.py"),
        dataset=DATA_CONFIG,
    log:
        f"{DATA}/logs/data.log",
    benchmark:
        f"{DATA}/benchmarks/data.tsv"
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/data.py"
