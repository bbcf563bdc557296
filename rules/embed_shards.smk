# encoder.shards > 1: the encoder embeds each role's rows in shards, merged into the embed step's files.


rule embed_shard:
    """encoder.shards: shard i of one role's rows, embedded as the unsharded embed step embeds them (its
    length-sorted batches, every shards-th one: bucket_al.embed.shard_batches), so the merged vectors are
    the same; on a cluster each shard is a job of its own."""
    input:
        f"{DATA}/{{role}}.parquet",
    output:
        temp(f"{EMB}/shards/{{role}}/shard{{shard}}.npz"),
    params:
        code=package_code("embed_shard.py"),
        model=config["encoder"]["model"],
        max_length=config["encoder"]["max_length"],
        quantize=config["encoder"]["quantize"],
        batch_size=config["encoder"]["batch_size"] if config["encoder"]["quantize"] == "int8" else None,
        shards=SHARDS,
    wildcard_constraints:
        shard=r"\d+",
    threads: config["threads"]["embed"]
    resources:
        **embed_resources(),
    log:
        f"{EMB}/logs/embed_{{role}}_shard{{shard}}.log",
    benchmark:
        f"{EMB}/benchmarks/embed_{{role}}_shard{{shard}}.tsv"
    conda:
        "../envs/embedding.yaml"
    script:
        "../workflow/scripts/embed_shard.py"


rule embed_merge:
    """encoder.shards: one role's shards, merged into the files the unsharded embed step writes."""
    input:
        rows=f"{DATA}/{{role}}.parquet",
        shards=expand(f"{EMB}/shards/{{{{role}}}}/shard{{shard}}.npz", shard=range(SHARDS)),
    output:
        parquet=f"{EMB}/{{role}}.parquet",
        arrow=f"{EMB}/{{role}}.arrow",
    params:
        code=package_code("embed_merge.py"),
    resources:
        **pool_resources("vectors"),
    log:
        f"{EMB}/logs/embed_{{role}}_merge.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/embed_merge.py"
