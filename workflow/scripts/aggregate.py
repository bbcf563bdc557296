"""Rule aggregate: summary.csv, round table, AUC table, curve statistics and the learning-curve plot."""
import pandas as pd

from bucket_al.aggregate import (arm_rows, auc_table, curve_stats, pair_table, plot_learning_curve, render_text,
                                 round_table, summary_frame, write_csv)
from bucket_al.io import atomic_path, named_files, read_json, write_json
from bucket_al.runtime import run_step
from bucket_al.stopping import summary_lines


def main(smk):
    p = smk.params
    zero_shot = [smk.input.zero_shot] if "zero_shot" in smk.input.keys() else []  # none with encoder.vectors
    paths = [*dict.fromkeys(named_files(smk.input, "metrics")), *smk.input.ceiling, *zero_shot]
    summary = summary_frame(arm_rows([read_json(path) for path in paths], dict(p.arms)))
    arms, metric = list(p.arms), p.metric
    labels = read_json(smk.input.labels)
    warnings, notes = labels.get("warnings", []), labels.get("notes", [])
    if not zero_shot:
        notes = [*notes, "no zero-shot point: encoder.vectors gives the rows' vectors, and the zero-shot model "
                         "would embed the label texts with another encoder"]
    stops = pd.read_csv(smk.input.stopping)
    table = round_table(summary, arms, metric)
    auc = auc_table(summary, arms, metric, complete=not p.stopped)
    stats = curve_stats(summary, auc, p.ceiling_fractions)
    pairs = pair_table(summary, dict(p.arms), metric, complete=not p.stopped)
    seeds = summary.loc[summary["arm"] == "random", "seed"].nunique()  # every arm is paired with these
    write_csv(summary, smk.output.summary)
    write_csv(table, smk.output.round_table)
    write_csv(auc, smk.output.auc_table)
    write_csv(pairs, smk.output.pair_table)
    write_json(stats, smk.output.curve)
    with atomic_path(smk.output.round_text) as tmp:
        stop_lines = summary_lines(stops, p.within, tuple(p.stop) if p.stop else None)
        if not p.stop_set:
            stop_lines.insert(0, "stopping.stop_set is 0: no stop set, so the criteria that read one are not evaluated")
        tmp.write_text(render_text(table, auc, stats, seeds, warnings, stop_lines, pairs, notes))
    plot_learning_curve(summary, arms + ["random"], smk.output.plot, metric, stops)


run_step(main, snakemake)  # noqa: F821
