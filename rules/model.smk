# Models that select nothing (bucket_al.model): the full-data ceiling, and the learners of
# compare.learners trained on the rows the experiment's rounds chose. A round's own model is trained
# in its round's job (rules/rounds.smk).


rule ceiling:
    """The experiment's learner trained on the whole pool (ceiling.params on top): the quality to reach."""
    input:
        unpack(ceiling_inputs),
    output:
        model=directory(f"{OUT}/ceiling/seed{{seed}}/model"),
        metrics=f"{OUT}/ceiling/seed{{seed}}/metrics.json",
    params:
        **learner_params(ceiling=True),
        code=package_code("model.py", (LEARNERS, LEARNER)),
        unit="ceiling",
    threads: config["threads"]["ceiling"]
    # early, beside the chains: a job of threads.ceiling left to the end runs alone before the tables
    priority: CHAIN_PRIORITY
    resources:
        **pool_resources("ceiling", "ceiling"),
        **({"gpu": model_resources("ceiling")["gpu"]} if "gpu" in model_resources("ceiling") else {}),
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/model.log",
    benchmark:
        f"{OUT}/benchmarks/ceiling/seed{{seed}}/model.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/model.py"


# Learners side by side (compare.learners, bucket_al.compare): every compared learner is trained
# on the manifests the experiment's rounds chose (each arm's rounds, the cold starts, the random
# twin) and on the full pool where compare.ceiling says so, beside the experiment's models:
# <unit>/seed<s>/round<r>/compare/<learner>/ (COMPARED_MODELS: common.smk).
use rule ceiling as compare_model with:
    """A compared learner on a manifest's rows (the same rows as the experiment's own model)."""
    input:
        unpack(compare_inputs),
    output:
        model=directory(f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/compare/{{learner}}/model"),
        metrics=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/compare/{{learner}}/metrics.json",
    wildcard_constraints:
        unit=one_of(UNITS),
    params:
        **learner_params(compared=True),
        code=lambda w: package_code("model.py", (LEARNERS, w.learner)),
        unit=lambda w: w.unit,
        round=lambda w: int(w.round),
    threads: config["threads"]["train"]
    priority: 0  # fills the cores, as the twins do
    resources:
        mem_mb=lambda w: model_resources("model", w.learner)["mem_mb"],
        runtime=lambda w: model_resources("model", w.learner)["runtime"],
        gpu=lambda w: model_resources("model", w.learner).get("gpu", 0),
    log:
        f"{OUT}/logs/{{unit}}/seed{{seed}}/round{{round}}/compare_{{learner}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{unit}}/seed{{seed}}/round{{round}}/compare_{{learner}}.tsv"


use rule ceiling as compare_ceiling with:
    """A compared learner trained on the whole pool (compare.ceiling)."""
    input:
        unpack(compare_ceiling_inputs),
    output:
        model=directory(f"{OUT}/ceiling/seed{{seed}}/compare/{{learner}}/model"),
        metrics=f"{OUT}/ceiling/seed{{seed}}/compare/{{learner}}/metrics.json",
    params:
        **learner_params(compared=True),
        code=lambda w: package_code("model.py", (LEARNERS, w.learner)),
        unit="ceiling",
    threads: config["threads"]["ceiling"]
    resources:
        mem_mb=lambda w: model_resources("ceiling", w.learner)["mem_mb"],
        runtime=lambda w: model_resources("ceiling", w.learner)["runtime"],
        gpu=lambda w: model_resources("ceiling", w.learner).get("gpu", 0),
    log:
        f"{OUT}/logs/ceiling/seed{{seed}}/compare_{{learner}}.log",
    benchmark:
        f"{OUT}/benchmarks/ceiling/seed{{seed}}/compare_{{learner}}.tsv"
