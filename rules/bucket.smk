rule bucket:
    """Seeded k-means of the reduced pool: the bucket of every pool row."""
    input:
        lambda w: reduced(w.seed),
    output:
        f"{OUT}/bucket/seed{{seed}}.parquet",
    params:
        code=package_code("bucket.py"),
        k=config["bucket"]["k"],
        n_init=config["bucket"]["n_init"],
        kmeans_threads=config["bucket"]["kmeans_threads"],  # part of the method: see bucket_al.bucket.kmeans
        fit_sample=config["bucket"]["fit_sample"],
    threads: config["threads"]["reduce"]
    resources:
        **pool_resources("bucket"),
    priority: CHAIN_PRIORITY
    log:
        f"{OUT}/logs/bucket_seed{{seed}}.log",
    benchmark:
        f"{OUT}/benchmarks/bucket/seed{{seed}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/bucket.py"
