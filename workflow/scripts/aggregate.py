"""Rule aggregate: summary.csv, round table, curve statistics and the learning-curve plot."""
import pandas as pd

from bucket_al.aggregate import curve_stats, plot_learning_curve, render_text, round_table, summary_frame
from bucket_al.io import atomic_path, read_json, write_json
from bucket_al.runtime import run_step


def write_csv(df, path):
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)


def main(smk):
    summary = summary_frame([read_json(p) for p in smk.input])
    arms = list(smk.params.strategies) + ["random"]
    tables = [round_table(summary, s) for s in smk.params.strategies]
    stats = curve_stats(summary, arms, smk.params.ceiling_fractions)
    write_csv(summary, smk.output.summary)
    write_csv(pd.concat(tables, ignore_index=True), smk.output.round_table)
    write_json(stats, smk.output.curve)
    text = render_text(tables, stats, arms)
    with atomic_path(smk.output.round_text) as tmp:
        tmp.write_text(text)
    plot_learning_curve(summary, arms, smk.output.plot)


run_step(main, snakemake)  # noqa: F821
