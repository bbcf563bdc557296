rule aggregate:
    """summary.csv, the per-round table (both arms, paired test), curve statistics and the plot."""
    input:
        all_metrics,
    output:
        summary=report(f"{OUT}/summary.csv", category="Tables", caption="../workflow/report/summary.rst"),
        round_table=report(f"{OUT}/round_table.csv", category="Tables", caption="../workflow/report/round_table.rst"),
        round_text=report(f"{OUT}/round_table.txt", category="Tables", caption="../workflow/report/round_text.rst"),
        curve=report(f"{OUT}/curve_stats.json", category="Ceiling", caption="../workflow/report/curve_stats.rst"),
        plot=report(f"{OUT}/learning_curve.png", category="Plots", caption="../workflow/report/learning_curve.rst"),
    params:
        code=package_code("aggregate.py"),
        strategies=STRATEGIES,
        ceiling_fractions=config["evaluate"]["ceiling_fractions"],
    log:
        f"{OUT}/logs/aggregate.log",
    conda:
        "../envs/report.yaml"
    script:
        "../workflow/scripts/aggregate.py"
