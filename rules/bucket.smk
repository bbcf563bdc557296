rule bucket:
    """Seeded k-means of the reduced pool: the bucket of every pool row."""
    input:
        f"{OUT}/reduce/pool.parquet",
    output:
        f"{OUT}/bucket/seed{{seed}}.parquet",
    params:
        k=config["bucket"]["k"],
        n_init=config["bucket"]["n_init"],
    threads: config["threads"]["reduce"]
    log:
        f"{OUT}/logs/bucket_seed{{seed}}.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/bucket.py"
