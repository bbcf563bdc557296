rule aggregate:
    """summary.csv, per-round and AUC tables (each arm against random, paired tests), curve statistics, plot."""
    input:
        metrics=all_metrics,
        labels=f"{DATA}/labels.json",
    output:
        summary=report(f"{OUT}/summary.csv", category="Tables", caption="../workflow/report/summary.rst"),
        round_table=report(f"{OUT}/round_table.csv", category="Tables", caption="../workflow/report/round_table.rst"),
        auc_table=report(f"{OUT}/auc_table.csv", category="Tables", caption="../workflow/report/auc_table.rst"),
        round_text=report(f"{OUT}/round_table.txt", category="Tables", caption="../workflow/report/round_text.rst"),
        curve=report(f"{OUT}/curve_stats.json", category="Ceiling", caption="../workflow/report/curve_stats.rst"),
        plot=report(f"{OUT}/learning_curve.png", category="Plots", caption="../workflow/report/learning_curve.rst"),
    params:
        code=package_code("aggregate.py"),
        arms=STRATEGIES,
        metric=config["evaluate"]["metric"],
        ceiling_fractions=config["evaluate"]["ceiling_fractions"],
    log:
        f"{OUT}/logs/aggregate.log",
    conda:
        "../envs/report.yaml"
    script:
        "../workflow/scripts/aggregate.py"
