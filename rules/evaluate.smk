EVAL_INPUTS = dict(
    eval=f"{DATA}/eval.parquet",
    embeddings=f"{EMB}/eval.parquet",
    pool=f"{DATA}/pool.parquet",
    labels=f"{DATA}/labels.json",
)


rule evaluate:
    """Metrics of one round's model (a strategy or the random twin) on the eval split."""
    input:
        **EVAL_INPUTS,
        model=f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/model.ckpt",
        manifest=f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/manifest.parquet",
    output:
        f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/metrics.json",
    params:
        arm=lambda w: w.arm,
        seed=lambda w: int(w.seed),
        round=lambda w: int(w.round),
    log:
        f"{OUT}/logs/{{arm}}/seed{{seed}}/evaluate_round{{round}}.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/evaluate.py"


rule evaluate_ceiling:
    """Metrics of the ceiling model on the eval split."""
    input:
        **EVAL_INPUTS,
        model=f"{OUT}/ceiling/seed{{seed}}/model.ckpt",
    output:
        f"{OUT}/ceiling/seed{{seed}}/metrics.json",
    params:
        arm="ceiling",
        seed=lambda w: int(w.seed),
        round=None,
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/evaluate.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/evaluate.py"
