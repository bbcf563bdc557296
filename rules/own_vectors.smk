# encoder.vectors: the user's own vectors instead of the encoder's (bucket_al.vectors).


rule own_vectors:
    """encoder.vectors: one role's rows' own vectors, read from the user's file of its split and checked
    (bucket_al.vectors), written as the embed step writes them (parquet and a memory-mappable Arrow file)."""
    input:
        rows=f"{DATA}/{{role}}.parquet",
        vectors=lambda w: str(vectors_file(OWN_VECTORS, ROLE_SPLITS[w.role])),
    output:
        parquet=f"{EMB}/{{role}}.parquet",
        arrow=f"{EMB}/{{role}}.arrow",
    params:
        code=package_code("own_vectors.py"),
        key=config["encoder"]["vectors_key"],
        lowercase=DATASET["lowercase"],
        # the split file's rows (key: row: one vector each, no more); None for a dataset from the hub
        source_rows=lambda w: split_rows(ROLE_SPLITS[w.role]),
    resources:
        **pool_resources("vectors"),
    log:
        f"{EMB}/logs/own_vectors_{{role}}.log",
    benchmark:
        f"{EMB}/benchmarks/own_vectors_{{role}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/own_vectors.py"
