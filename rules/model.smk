# One job per model (bucket_al.model): train, save, evaluate on the eval split (metrics.json),
# predict the seed's stop set (stop_set.parquet) and, where a later round selects from it, score
# the pool (scores.parquet). Model folders and which of them write scores: rules/common.smk.


rule model:
    """A round's model whose scores a later round selects from: train, evaluate, predict the stop
    set, score the pool (or a seeded sample of it: score.pool_sample) less the stop set."""
    input:
        unpack(model_inputs),
    output:
        **({"stop": f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/stop_set.parquet"} if STOP_SET else {}),
        **({"last_layer": f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/last_layer.parquet"} if SCORE_LAST_LAYER else {}),
        model=directory(f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/model"),
        metrics=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/metrics.json",
        scores=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/scores.parquet",
    wildcard_constraints:
        unit=folders(SCORED),
    params:
        **model_params(),
    threads: config["threads"]["train"]
    resources:
        **model_resources("model"),
    log:
        f"{OUT}/logs/{{unit}}/seed{{seed}}/round{{round}}/model.log",
    benchmark:
        f"{OUT}/benchmarks/{{unit}}/seed{{seed}}/round{{round}}/model.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/model.py"


use rule model as model_last with:
    """A round's model that no later round selects from (an arm's last round, the random twin's
    rounds): train, evaluate, predict the stop set; no scores."""
    output:
        **({"stop": f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/stop_set.parquet"} if STOP_SET else {}),
        model=directory(f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/model"),
        metrics=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/metrics.json",
    wildcard_constraints:
        unit=folders(NOT_SCORED),


use rule model as ceiling with:
    """The same learner trained on the whole pool (ceiling.params on top): the quality to reach."""
    output:
        model=directory(f"{OUT}/ceiling/seed{{seed}}/model"),
        metrics=f"{OUT}/ceiling/seed{{seed}}/metrics.json",
    params:
        **model_params(ceiling=True),
    threads: config["threads"]["ceiling"]
    resources:
        **model_resources("ceiling"),
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/model.log",
    benchmark:
        f"{OUT}/benchmarks/ceiling/seed{{seed}}/model.tsv"


# Learners side by side (compare.learners, bucket_al.compare): every compared learner is trained
# on the manifests the experiment's own learner chose (each arm's rounds, the cold starts, the
# random twin) and on the full pool where compare.ceiling says so, beside the experiment's models:
# <unit>/seed<s>/round<r>/compare/<learner>/ (COMPARED_MODELS: common.smk).
use rule model as compare_model with:
    """A compared learner on a manifest's rows (the same rows as the experiment's own model)."""
    output:
        model=directory(f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/compare/{{learner}}/model"),
        metrics=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/compare/{{learner}}/metrics.json",
    wildcard_constraints:
        unit=one_of(UNITS),
    params:
        **model_params(compared=True),
    resources:
        mem_mb=lambda w: model_resources("model", w.learner)["mem_mb"],
        runtime=lambda w: model_resources("model", w.learner)["runtime"],
        gpu=lambda w: model_resources("model", w.learner).get("gpu", 0),
    log:
        f"{OUT}/logs/{{unit}}/seed{{seed}}/round{{round}}/compare_{{learner}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{unit}}/seed{{seed}}/round{{round}}/compare_{{learner}}.tsv"


use rule model as compare_ceiling with:
    """A compared learner trained on the whole pool (compare.ceiling)."""
    output:
        model=directory(f"{OUT}/ceiling/seed{{seed}}/compare/{{learner}}/model"),
        metrics=f"{OUT}/ceiling/seed{{seed}}/compare/{{learner}}/metrics.json",
    params:
        **model_params(compared=True),
    threads: config["threads"]["ceiling"]
    resources:
        mem_mb=lambda w: model_resources("ceiling", w.learner)["mem_mb"],
        runtime=lambda w: model_resources("ceiling", w.learner)["runtime"],
        gpu=lambda w: model_resources("ceiling", w.learner).get("gpu", 0),
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/compare_{{learner}}.log",
    benchmark:
        f"{OUT}/benchmarks/ceiling/seed{{seed}}/compare_{{learner}}.tsv"
