rule train:
    """Fit the learner on a manifest's rows (any arm: a strategy or the random twin)."""
    input:
        manifest=f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/manifest.parquet",
        pool=f"{DATA}/pool.parquet",
        embeddings=f"{EMB}/pool.parquet",
        labels=f"{DATA}/labels.json",
    output:
        f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/model.ckpt",
    params:
        learner=config["learner"],
    threads: config["threads"]["train"]
    log:
        f"{OUT}/logs/{{arm}}/seed{{seed}}/train_round{{round}}.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/train.py"
