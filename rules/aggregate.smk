rule aggregate:
    """summary.csv, per-round and AUC tables (each arm against random, paired tests), the pair table (each arm against within_bucket and entropy), curve statistics, plot."""
    input:
        **model_files("metrics.json", "metrics"),
        **({"zero_shot": f"{OUT}/zero_shot/metrics.json"} if ZERO_SHOT_REFERENCE else {}),
        ceiling=ceiling_metrics,
        stopping=f"{OUT}/stopping.csv",
        labels=f"{DATA}/labels.json",
    output:
        summary=report(f"{OUT}/summary.csv", category="Tables", caption="../workflow/report/summary.rst"),
        round_table=report(f"{OUT}/round_table.csv", category="Tables", caption="../workflow/report/round_table.rst"),
        auc_table=report(f"{OUT}/auc_table.csv", category="Tables", caption="../workflow/report/auc_table.rst"),
        pair_table=report(f"{OUT}/pair_table.csv", category="Tables", caption="../workflow/report/pair_table.rst"),
        round_text=report(f"{OUT}/round_table.txt", category="Tables", caption="../workflow/report/round_text.rst"),
        curve=report(f"{OUT}/curve_stats.json", category="Ceiling", caption="../workflow/report/curve_stats.rst"),
        plot=report(f"{OUT}/learning_curve.png", category="Plots", caption="../workflow/report/learning_curve.rst"),
    params:
        code=package_code("aggregate.py"),
        arms={name: arm.cold_unit for name, arm in ARMS.items()},
        metric=config["evaluate"]["metric"],
        ceiling_fractions=config["evaluate"]["ceiling_fractions"],
        stopped=STOP is not None,
        stop=STOP,
        stop_set=STOP_SET,
        within=config["stopping"]["oracle_within"],
    log:
        f"{OUT}/logs/aggregate.log",
    benchmark:
        f"{OUT}/benchmarks/aggregate.tsv"
    conda:
        "../envs/report.yaml"
    script:
        "../workflow/scripts/aggregate.py"


rule pick_map:
    """What each arm picks: its last round's rows (with selection.stop: the round it stopped at) on a 2-D map of the pool, coloured by round (first seed)."""
    input:
        **{
            f"manifest_{i}": lambda w, a=arm: f"{round_folder(a, SEEDS[0], last_round(a, SEEDS[0]))}/manifest.parquet"
            for i, arm in enumerate(ARMS)
        },
        **{
            f"manifest_{len(ARMS)}": lambda w: f"{OUT}/random/seed{SEEDS[0]}/round{twin_last_round(SEEDS[0])}/manifest.parquet"
        },
        reduced=reduced(SEEDS[0]),
    output:
        report(f"{OUT}/pick_map.png", category="Plots", caption="../workflow/report/pick_map.rst"),
    params:
        code=package_code("pick_map.py"),
        arms=[*ARMS, "random"],
        seed=SEEDS[0],
    resources:
        **pool_resources("bucket"),
    log:
        f"{OUT}/logs/pick_map.log",
    benchmark:
        f"{OUT}/benchmarks/pick_map.tsv"
    conda:
        "../envs/report.yaml"
    script:
        "../workflow/scripts/pick_map.py"


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
    benchmark:
        f"{OUT}/benchmarks/learner_table.tsv"
    conda:
        "../envs/report.yaml"
    script:
        "../workflow/scripts/learner_table.py"


# run.json is two strings from the config: no cluster job for it
localrules:
    stamp,


rule stamp:
    """run.json: the commit of the workflow's code and a digest of the config that produced this
    folder's tables (benchmarks/readme_tables.py prints them on every published table)."""
    output:
        f"{OUT}/run.json",
    params:
        code=package_code("stamp.py"),
        commit=CODE_COMMIT,
        config=CONFIG_DIGEST,
        experiment=config["experiment"],
    log:
        f"{OUT}/logs/stamp.log",
    conda:
        "../envs/report.yaml"
    script:
        "../workflow/scripts/stamp.py"
