# Zero labels (bucket_al.zero_shot): the labels' names or descriptions embedded as the sentences are;
# the zero-shot model is the 0-label point of every curve, its scores feed the zero_shot cold start.


rule embed_labels:
    """Each label's name (or dataset.label_descriptions' line), embedded with the encoder, its pooling and quantization."""
    input:
        labels=f"{DATA}/labels.json",
    output:
        vectors=f"{ZERO_SHOT_EMB}/labels.arrow",
        texts=f"{ZERO_SHOT_EMB}/texts.json",
    params:
        code=package_code("embed_labels.py"),
        descriptions=DATASET["label_descriptions"],
        model=config["encoder"]["model"],
        max_length=config["encoder"]["max_length"],
        quantize=config["encoder"]["quantize"],
        # as for the sentences (rule embed): int8 vectors depend on the batches, fp32 ones do not
        batch_size=config["encoder"]["batch_size"] if config["encoder"]["quantize"] == "int8" else None,
    threads: config["threads"]["train"]
    log:
        f"{ZERO_SHOT_EMB}/logs/embed_labels.log",
    benchmark:
        f"{ZERO_SHOT_EMB}/benchmarks/embed_labels.tsv"
    conda:
        "../envs/embedding.yaml"
    script:
        "../workflow/scripts/embed_labels.py"
