# The encoder embeds each role's rows in one job (encoder.shards: 1, encoder.vectors: null).


rule embed:
    """Mean-pooled encoder embeddings of one role's rows (pool or eval): parquet, and the same
    vectors as a memory-mappable Arrow file that every later job reads."""
    input:
        f"{DATA}/{{role}}.parquet",
    output:
        parquet=f"{EMB}/{{role}}.parquet",
        arrow=f"{EMB}/{{role}}.arrow",
    params:
        code=package_code("embed.py"),
        model=config["encoder"]["model"],
        max_length=config["encoder"]["max_length"],
        quantize=config["encoder"]["quantize"],
        # int8 vectors depend on the batches (bucket_al.embed); fp32 ones do not
        batch_size=config["encoder"]["batch_size"] if config["encoder"]["quantize"] == "int8" else None,
    threads: config["threads"]["embed"]
    resources:
        **embed_resources(),
    log:
        f"{EMB}/logs/embed_{{role}}.log",
    benchmark:
        f"{EMB}/benchmarks/embed_{{role}}.tsv"
    conda:
        "../envs/embedding.yaml"
    script:
        "../workflow/scripts/embed.py"
