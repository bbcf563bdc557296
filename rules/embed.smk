rule embed:
    """Mean-pooled encoder embeddings of one role's rows (pool or eval)."""
    input:
        f"{DATA}/{{role}}.parquet",
    output:
        f"{EMB}/{{role}}.parquet",
    params:
        code=package_code("embed.py"),
        model=config["encoder"]["model"],
        max_length=config["encoder"]["max_length"],
    threads: config["threads"]["embed"]
    resources:
        mem_mb=4000,
    log:
        f"{EMB}/logs/embed_{{role}}.log",
    conda:
        "../envs/embedding.yaml"
    script:
        "../workflow/scripts/embed.py"
