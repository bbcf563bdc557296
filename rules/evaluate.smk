EVAL_INPUTS = dict(
    eval=f"{DATA}/eval.parquet",
    features=features("eval"),
    pool=f"{DATA}/pool.parquet",
    labels=f"{DATA}/labels.json",
)


rule evaluate:
    """Metrics of one round's model (an arm's round, a cold start or the random twin) on the eval
    split, and its class probabilities on the seed's stop set (for the stopping criteria)."""
    input:
        unpack(selected_from),
        **EVAL_INPUTS,
        **({"stop_features": f"{OUT}/stop_set/seed{{seed}}.features.parquet"} if STOP_SET else {}),
        model=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/model",
        manifest=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/manifest.parquet",
    output:
        **({"stop": f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/stop_set.parquet"} if STOP_SET else {}),
        metrics=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/metrics.json",
    params:
        code=package_code("evaluate.py"),
        unit=lambda w: w.unit,
        seed=lambda w: int(w.seed),
        round=lambda w: int(w.round),
        pool_sample=lambda w: config["score"]["pool_sample"] if w.unit in ARMS else None,
    log:
        f"{OUT}/logs/{{unit}}/seed{{seed}}/evaluate_round{{round}}.log",
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
        metrics=f"{OUT}/ceiling/seed{{seed}}/metrics.json",
    params:
        code=package_code("evaluate.py"),
        unit="ceiling",
        seed=lambda w: int(w.seed),
        round=None,
        pool_sample=None,
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/evaluate.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/evaluate.py"
