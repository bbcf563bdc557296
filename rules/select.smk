rule select_cold_start:
    """Round 0 of a strategy: n rows from each bucket."""
    input:
        buckets=f"{OUT}/bucket/seed{{seed}}.parquet",
    output:
        f"{OUT}/{{strategy}}/seed{{seed}}/round0/manifest.parquet",
    params:
        code=package_code("select_cold_start.py"),
        n=config["selection"]["n"],
        budget=lambda w: plan(0)[0],
        pick=config["selection"]["cold_start"],
    log:
        f"{OUT}/logs/{{strategy}}/seed{{seed}}/select_round0.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/select_cold_start.py"


rule select_entropy_round:
    """Round r >= 1 of a strategy: by highest entropy, bucket again, m rows from each bucket."""
    input:
        unpack(entropy_round_inputs),
    output:
        f"{OUT}/{{strategy}}/seed{{seed}}/round{{round}}/manifest.parquet",
    wildcard_constraints:
        round=r"[1-9]\d*",
    params:
        code=package_code("select_entropy_round.py"),
        selection=entropy_round_params,
    log:
        f"{OUT}/logs/{{strategy}}/seed{{seed}}/select_round{{round}}.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/select_entropy_round.py"


rule score:
    """Predict the rest of the pool (or a seeded sample of it: score.pool_sample) with the
    round's model; write the entropy table."""
    input:
        model=f"{OUT}/{{strategy}}/seed{{seed}}/round{{round}}/model",
        manifest=f"{OUT}/{{strategy}}/seed{{seed}}/round{{round}}/manifest.parquet",
        features=features("pool"),
        buckets=f"{OUT}/bucket/seed{{seed}}.parquet",
        labels=f"{DATA}/labels.json",
    output:
        f"{OUT}/{{strategy}}/seed{{seed}}/round{{round}}/entropy.parquet",
    params:
        code=package_code("score.py"),
        pool_sample=config["score"]["pool_sample"],
        seed=lambda w: int(w.seed),
        round=lambda w: int(w.round),
    threads: config["threads"]["train"]
    resources:
        **model_resources("score"),
    log:
        f"{OUT}/logs/{{strategy}}/seed{{seed}}/score_round{{round}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{strategy}}/seed{{seed}}/score_round{{round}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/score.py"
