rule select_cold_start:
    """Round 0 of the arms that start with cold start {cold}: computed once per seed and shared by
    all of them (the random cold start is the random twin's own round 0)."""
    input:
        unpack(cold_start_inputs),
        unpack(stop_set),
    output:
        f"{OUT}/cold_start/{{cold}}/seed{{seed}}/round0/manifest.parquet",
    params:
        code=package_code("select_cold_start.py"),
        cold=lambda w: w.cold,
        budget=lambda w: plan(0)[0],
        n=config["selection"]["n"],
        pick=config["selection"]["cold_start"],
    log:
        f"{OUT}/logs/cold_start/{{cold}}/seed{{seed}}/select_round0.log",
    benchmark:
        f"{OUT}/benchmarks/cold_start/{{cold}}/seed{{seed}}/select_round0.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/select_cold_start.py"


rule select_round:
    """Round r >= 1 of an arm: its query strategy picks m*k rows from what round r-1's model scored."""
    input:
        unpack(query_inputs),
    output:
        f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/manifest.parquet",
    wildcard_constraints:
        round=r"[1-9]\d*",
    params:
        code=package_code("select_round.py"),
        arm=lambda w: ARMS[w.arm].spec(),
        m=config["selection"]["m"],
        k=config["bucket"]["k"],
        settings=query_settings,
    log:
        f"{OUT}/logs/{{arm}}/seed{{seed}}/select_round{{round}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{arm}}/seed{{seed}}/select_round{{round}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/select_round.py"


rule score:
    """Predict the rest of the pool (or a seeded sample of it: score.pool_sample), less the stop set,
    and the labelled rows with the round's model: class probabilities and uncertainty (entropy, margin, least
    confidence) per row, and the learner's last layer where an arm needs it."""
    input:
        unpack(stop_set),
        model=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/model",
        manifest=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/manifest.parquet",
        features=features("pool"),
        labels=f"{DATA}/labels.json",
    output:
        **({"last_layer": f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/last_layer.parquet"} if SCORE_LAST_LAYER else {}),
        scores=f"{OUT}/{{unit}}/seed{{seed}}/round{{round}}/scores.parquet",
    params:
        code=package_code("score.py"),
        pool_sample=config["score"]["pool_sample"],
        seed=lambda w: int(w.seed),
        round=lambda w: int(w.round),
    threads: config["threads"]["train"]
    resources:
        **model_resources("score"),
    log:
        f"{OUT}/logs/{{unit}}/seed{{seed}}/score_round{{round}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{unit}}/seed{{seed}}/score_round{{round}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/score.py"
