"""Rule aggregate: summary.csv, round table, AUC table, curve statistics and the learning-curve plot."""
from bucket_al.aggregate import (arm_rows, auc_table, curve_stats, plot_learning_curve, render_text, round_table,
                                 summary_frame)
from bucket_al.io import atomic_path, read_json, write_json
from bucket_al.runtime import run_step


def write_csv(df, path):
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)


def main(smk):
    summary = summary_frame(arm_rows([read_json(p) for p in smk.input.metrics], dict(smk.params.arms)))
    arms, metric = list(smk.params.arms), smk.params.metric
    warnings = read_json(smk.input.labels).get("warnings", [])
    table = round_table(summary, arms, metric)
    auc = auc_table(summary, arms, metric)
    stats = curve_stats(summary, auc, smk.params.ceiling_fractions)
    seeds = summary.loc[summary["arm"] == "random", "seed"].nunique()  # every arm is paired with these
    write_csv(summary, smk.output.summary)
    write_csv(table, smk.output.round_table)
    write_csv(auc, smk.output.auc_table)
    write_json(stats, smk.output.curve)
    with atomic_path(smk.output.round_text) as tmp:
        tmp.write_text(render_text(table, auc, stats, seeds, warnings))
    plot_learning_curve(summary, arms + ["random"], smk.output.plot, metric)


run_step(main, snakemake)  # noqa: F821
