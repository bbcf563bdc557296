rule train:
    """Fit the learner on a manifest's rows (any unit: an arm's round, a cold start or the random twin)."""
    input:
        unpack(pool_rows_input()),
        manifest=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/manifest.parquet",
        pool=f"{DATA}/pool.parquet",
        features=features("pool"),
        labels=f"{DATA}/labels.json",
    output:
        directory(f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/model"),
    params:
        code=package_code("train.py"),
        learner=learner_config(),
    threads: config["threads"]["train"]
    resources:
        **model_resources("train"),
    log:
        f"{OUT}/logs/{{unit}}/seed{{seed}}/train_round{{round}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{unit}}/seed{{seed}}/train_round{{round}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/train.py"
