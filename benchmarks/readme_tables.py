"""Print an experiment's ranked AUC table and its per-round table as Markdown, from the files the
workflow wrote (auc_table.csv, round_table.csv): the README's result tables are this script's output.

    python benchmarks/readme_tables.py results/sst2-arms [--rounds] [--arms a,b,c]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", type=Path, help="results/<experiment> folder")
    parser.add_argument("--rounds", action="store_true", help="also the per-round table")
    parser.add_argument("--arms", help="the per-round table's arms, comma-separated (default: all, in AUC order)")
    args = parser.parse_args()
    auc = pd.read_csv(args.experiment / "auc_table.csv")
    print(auc_markdown(auc))
    if args.rounds:
        table = pd.read_csv(args.experiment / "round_table.csv")
        print()
        arms = args.arms.split(",") if args.arms else [a for a in auc["arm"] if a != "random"]
        print(rounds_markdown(table, arms))


if __name__ == "__main__":
    main()
