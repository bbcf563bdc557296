# Learners side by side (compare.learners, bucket_al.compare): every compared learner is trained
# on the manifests the experiment's own learner chose (each arm's rounds, the cold starts, the
# random twin) and on the full pool where compare.ceiling says so. Their models live beside the
# experiment's: <unit>/seed<s>/round<r>/compare/<learner>/ (COMPARE and COMPARED_MODELS: common.smk).


wildcard_constraints:
    learner=one_of(COMPARE),


rule train_compare:
    """Fit a compared learner on a manifest's rows (the same rows as the experiment's own model)."""
    input:
        unpack(lambda w: {"features": features("pool", w.learner), **pool_rows_input(w.learner)(w)}),
        manifest=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/manifest.parquet",
        pool=f"{DATA}/pool.parquet",
        labels=f"{DATA}/labels.json",
    output:
        directory(f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/compare/{{learner}}/model"),
    params:
        code=package_code("train.py"),
        learner=lambda w: learner_config(name=w.learner),
    threads: config["threads"]["train"]
    resources:
        mem_mb=lambda w: model_resources("train", w.learner)["mem_mb"],
        runtime=lambda w: model_resources("train", w.learner)["runtime"],
        gpu=lambda w: model_resources("train", w.learner).get("gpu", 0),
    log:
        f"{OUT}/logs/{{unit}}/seed{{seed}}/compare/{{learner}}/train_round{{round}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{unit}}/seed{{seed}}/compare/{{learner}}/train_round{{round}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/train.py"


rule evaluate_compare:
    """Metrics of a compared learner's model on the eval split."""
    input:
        eval=f"{DATA}/eval.parquet",
        features=lambda w: features("eval", w.learner),
        pool=f"{DATA}/pool.parquet",
        labels=f"{DATA}/labels.json",
        model=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/compare/{{learner}}/model",
        manifest=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/manifest.parquet",
    output:
        metrics=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/compare/{{learner}}/metrics.json",
    params:
        code=package_code("evaluate.py"),
        unit=lambda w: w.unit,
        seed=lambda w: int(w.seed),
        round=lambda w: int(w.round),
        pool_sample=None,
    log:
        f"{OUT}/logs/{{unit}}/seed{{seed}}/compare/{{learner}}/evaluate_round{{round}}.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/evaluate.py"


rule ceiling_compare:
    """A compared learner trained on the whole pool (compare.ceiling)."""
    input:
        pool=f"{DATA}/pool.parquet",
        features=lambda w: features("pool", w.learner),
        labels=f"{DATA}/labels.json",
    output:
        directory(f"{OUT}/ceiling/seed{{seed}}/compare/{{learner}}/model"),
    params:
        code=package_code("train.py"),
        learner=lambda w: learner_config(name=w.learner),
    threads: config["threads"]["ceiling"]
    resources:
        mem_mb=lambda w: model_resources("ceiling", w.learner)["mem_mb"],
        runtime=lambda w: model_resources("ceiling", w.learner)["runtime"],
        gpu=lambda w: model_resources("ceiling", w.learner).get("gpu", 0),
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/compare/{{learner}}/train.log",
    benchmark:
        f"{OUT}/benchmarks/ceiling/seed{{seed}}/compare/{{learner}}/train.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/train.py"


rule evaluate_ceiling_compare:
    """Metrics of a compared learner's full-data model on the eval split."""
    input:
        eval=f"{DATA}/eval.parquet",
        features=lambda w: features("eval", w.learner),
        pool=f"{DATA}/pool.parquet",
        labels=f"{DATA}/labels.json",
        model=f"{OUT}/ceiling/seed{{seed}}/compare/{{learner}}/model",
    output:
        metrics=f"{OUT}/ceiling/seed{{seed}}/compare/{{learner}}/metrics.json",
    params:
        code=package_code("evaluate.py"),
        unit="ceiling",
        seed=lambda w: int(w.seed),
        round=None,
        pool_sample=None,
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/compare/{{learner}}/evaluate.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/evaluate.py"


rule learner_table:
    """Every learner side by side: the metric per learner, arm and label count, the full-data models, CPU time per model and in all."""
    input:
        metrics=[m[4] for m in COMPARED_MODELS],
    output:
        table=report(f"{OUT}/learner_table.csv", category="Tables", caption="../workflow/report/learner_table.rst"),
        text=report(f"{OUT}/learner_table.txt", category="Tables", caption="../workflow/report/learner_table.rst"),
    params:
        code=package_code("learner_table.py"),
        models=[dict(zip(["learner", "arm", "seed", "round", "metrics", "benchmark"], m)) for m in COMPARED_MODELS],
        learners=[LEARNER, *COMPARE],
        full=LEARNER,
        metric=config["evaluate"]["metric"],
    log:
        f"{OUT}/logs/learner_table.log",
    conda:
        "../envs/report.yaml"
    script:
        "../workflow/scripts/learner_table.py"
