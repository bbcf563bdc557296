rule ceiling:
    """The same learner trained on the whole pool: the quality to reach."""
    input:
        pool=f"{DATA}/pool.parquet",
        embeddings=f"{EMB}/pool.parquet",
        labels=f"{DATA}/labels.json",
    output:
        f"{OUT}/ceiling/seed{{seed}}/model.ckpt",
    params:
        learner=config["learner"],
    threads: config["threads"]["ceiling"]
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/train.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/train.py"
