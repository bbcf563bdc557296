# The zero-shot model of the experiment (the label texts' vectors: rules/embed_labels.smk).


rule zero_shot:
    """The zero-shot model: metrics on the eval split (0 labels), scores of the pool."""
    input:
        label_vectors=f"{ZERO_SHOT_EMB}/labels.arrow",
        texts=f"{ZERO_SHOT_EMB}/texts.json",
        features=f"{EMB}/pool.arrow",
        eval_features=f"{EMB}/eval.arrow",
        eval=f"{DATA}/eval.parquet",
        labels=f"{DATA}/labels.json",
    output:
        metrics=f"{OUT}/zero_shot/metrics.json",
        scores=f"{OUT}/zero_shot/scores.parquet",
    params:
        code=package_code("zero_shot.py"),
        temperature=config["zero_shot"]["temperature"],
        threshold=config["zero_shot"]["threshold"],
    log:
        f"{OUT}/logs/zero_shot.log",
    benchmark:
        f"{OUT}/benchmarks/zero_shot.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/zero_shot.py"
