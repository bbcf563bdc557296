"""Print an experiment's ranked AUC table and its per-round table as Markdown, from the files the
workflow wrote (auc_table.csv, round_table.csv): the README's result tables are this script's output.
With ``--learners``, the learner table of ``compare.learners`` (learner_table.csv) instead.

    python benchmarks/readme_tables.py results/sst2-arms [--rounds] [--arms a,b,c]
    python benchmarks/readme_tables.py results/sst2-bar --learners
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

from bucket_al.aggregate import fmt_p  # the learner table's own p format (learner_table.txt)


def fmt(x, digits=4, sign=False):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def auc_markdown(auc: pd.DataFrame) -> str:
    metric = auc["metric"].iloc[0]
    lines = [f"| rank | arm | AUC ({metric}) | 95% CI | diff to random | 95% CI | p | Holm p |",
             "|---:|---|---:|---|---:|---|---:|---:|"]
    for r in auc.itertuples():
        ci = f"[{fmt(r.auc_ci_low)}, {fmt(r.auc_ci_high)}]"
        dci = "" if r.arm == "random" else f"[{fmt(r.diff_ci_low, sign=True)}, {fmt(r.diff_ci_high, sign=True)}]"
        lines.append(f"| {r.rank} | {r.arm} | {fmt(r.auc_mean)} | {ci} | {fmt(r.diff_mean, sign=True)} | {dci} | "
                     f"{fmt(r.p_value, 3)} | {fmt(r.p_holm, 3)} |")
    return "\n".join(lines)


def rounds_markdown(table: pd.DataFrame, arms: list[str]) -> str:
    metric = table["metric"].iloc[0]
    labels = table.drop_duplicates("round").set_index("round")["n_labeled"]
    random_mean = table.drop_duplicates("round").set_index("round")["random_mean"]
    head = "| round | labels | random | " + " | ".join(arms) + " |"
    lines = [f"{metric}, mean over seeds; in brackets the paired difference to random and its Holm p", "",
             head, "|---:|---:|---:|" + "---|" * len(arms)]
    for rnd in sorted(labels.index):
        cells = []
        for arm in arms:
            row = table[(table["arm"] == arm) & (table["round"] == rnd)].iloc[0]
            cells.append(f"{fmt(row.arm_mean)} ({fmt(row.diff_mean, sign=True)}, {fmt(row.p_holm, 3)})")
        lines.append(f"| {rnd} | {labels[rnd]} | {fmt(random_mean[rnd])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def learners_markdown(table: pd.DataFrame) -> str:
    """learner_table.csv as Markdown: a row per label count and arm (the full-data models last), a
    column per learner (the experiment's own first) with mean ± std over seeds, the paired difference
    to the experiment's learner and its Holm p, and the mean CPU seconds of one model; then the CPU
    seconds of each learner in all."""
    own = table.loc[table["diff"].isna() & (table["arm"] != "ceiling"), "learner"].iloc[0]
    learners = [own, *[n for n in table["learner"].drop_duplicates() if n != own]]
    lines = [f"| labels | arm | {' | '.join(learners)} |", "|---:|---|" + "---|" * len(learners)]
    for (n, arm), rows in table.groupby(["n_labeled", "arm"], sort=False):
        by_learner = rows.set_index("learner")
        cells = []
        for name in learners:
            if name not in by_learner.index:
                cells.append("")
                continue
            r = by_learner.loc[name]
            paired = "" if pd.isna(r["diff"]) else f", {fmt(r['diff'], sign=True)} (p {fmt_p(r['p_holm'])})"
            cells.append(f"{fmt(r['mean'])} ± {fmt(r['std'])}{paired}, {r['cpu_s']:.0f} s")
        lines.append(f"| {n:,} | {'full data' if arm == 'ceiling' else arm} | " + " | ".join(cells) + " |")
    totals = table.groupby("learner")["cpu_s_total"].sum()
    lines += ["", "CPU seconds in all: " + ", ".join(f"{n} {totals[n]:,.0f}" for n in learners)
              + f"; {totals.sum():,.0f} together"]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", type=Path, help="results/<experiment> folder")
    parser.add_argument("--rounds", action="store_true", help="also the per-round table")
    parser.add_argument("--arms", help="the per-round table's arms, comma-separated (default: all, in AUC order)")
    parser.add_argument("--learners", action="store_true", help="the learner table (learner_table.csv) instead")
    args = parser.parse_args()
    if args.learners:
        print(learners_markdown(pd.read_csv(args.experiment / "learner_table.csv")))
        return
    auc = pd.read_csv(args.experiment / "auc_table.csv")
    print(auc_markdown(auc))
    if args.rounds:
        table = pd.read_csv(args.experiment / "round_table.csv")
        print()
        arms = args.arms.split(",") if args.arms else [a for a in auc["arm"] if a != "random"]
        print(rounds_markdown(table, arms))


if __name__ == "__main__":
    main()
