EVAL_INPUTS = dict(
    eval=f"{DATA}/eval.parquet",
    features=features("eval"),
    pool=f"{DATA}/pool.parquet",
    labels=f"{DATA}/labels.json",
)


rule evaluate:
    """Metrics of one round's model (a strategy or the random twin) on the eval split."""
    input:
        unpack(selected_from),
        **EVAL_INPUTS,
        model=f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/model",
        manifest=f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/manifest.parquet",
    output:
        f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/metrics.json",
    params:
        code=package_code("evaluate.py"),
        arm=lambda w: w.arm,
        seed=lambda w: int(w.seed),
        round=lambda w: int(w.round),
        pool_sample=lambda w: config["score"]["pool_sample"] if w.arm in STRATEGIES else None,
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
        model=f"{OUT}/ceiling/seed{{seed}}/model",
    output:
        f"{OUT}/ceiling/seed{{seed}}/metrics.json",
    params:
        code=package_code("evaluate.py"),
        arm="ceiling",
        seed=lambda w: int(w.seed),
        round=None,
        pool_sample=None,
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/evaluate.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/evaluate.py"
