rule ceiling:
    """The same learner trained on the whole pool: the quality to reach."""
    input:
        pool=f"{DATA}/pool.parquet",
        features=features("pool"),
        labels=f"{DATA}/labels.json",
    output:
        directory(f"{OUT}/ceiling/seed{{seed}}/model"),
    params:
        code=package_code("train.py"),
        learner=learner_config(ceiling=True),
    threads: config["threads"]["ceiling"]
    resources:
        **model_resources("ceiling"),
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/train.log",
    benchmark:
        f"{OUT}/benchmarks/ceiling/seed{{seed}}/train.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/train.py"
