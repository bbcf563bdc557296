checkpoint stop_check:
    """selection.stop: whether an arm stops after round r (its criterion replayed over the stop-set
    predictions of rounds 0..r). A checkpoint: round r+1 enters the DAG only if it did not fire."""
    input:
        unpack(stop_check_inputs),
    output:
        f"{OUT}/stop/{{arm}}/seed{{seed}}/round{{round}}.json",
    params:
        code=package_code("stop_check.py", *([(CRITERIA, STOP[0])] if STOP else [])),
        stop=STOP,
        budgets=budget_plan(ROUNDS[-1]),
        round=lambda w: int(w.round),
    log:
        f"{OUT}/logs/stop/{{arm}}/seed{{seed}}/round{{round}}.log",
    benchmark:
        f"{OUT}/benchmarks/stop/{{arm}}/seed{{seed}}/round{{round}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/stop_check.py"


rule stopping:
    """Hindsight, for every criterion of stopping.criteria, arm and seed: where it would have stopped,
    the labels and the metric there against the ceiling, and the oracle stop."""
    input:
        **model_files("metrics.json", "metrics"),
        **(model_files("stop_set.parquet", "stop") if STOP_SET else {}),
        ceiling=ceiling_metrics,
    output:
        table=report(f"{OUT}/stopping.csv", category="Tables", caption="../workflow/report/stopping.rst"),
        trace=f"{OUT}/stop_trace.csv",
    params:
        code=package_code("stopping.py", *((CRITERIA, name) for name, _ in HINDSIGHT)),
        arms={name: arm.cold_unit for name, arm in ARMS.items()},
        criteria=HINDSIGHT,
        budgets=budget_plan(ROUNDS[-1]),
        metric=config["evaluate"]["metric"],
        within=config["stopping"]["oracle_within"],
    log:
        f"{OUT}/logs/stopping.log",
    benchmark:
        f"{OUT}/benchmarks/stopping.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/stopping.py"
