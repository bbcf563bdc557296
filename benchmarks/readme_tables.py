"""An experiment's tables as Markdown, from the files the workflow wrote (auc_table.csv,
round_table.csv, pair_table.csv, curve_stats.json, run.json): the published results (docs/results/)
are this script's output, each stamped with the commit and config digest of the run (run.json).
With ``--learners``, the learner table of ``compare.learners`` (learner_table.csv) instead.

    python benchmarks/readme_tables.py results/sst2-arms [--rounds] [--arms a,b,c]
    python benchmarks/readme_tables.py results/sst2-offline --page "Offline SST-2" --command "..." > docs/results/sst2-offline.md
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


def pairs_markdown(pairs: pd.DataFrame) -> str:
    """pair_table.csv: each arm against within_bucket and entropy, paired over seeds, Holm."""
    metric = pairs["metric"].iloc[0]
    lines = [f"| arm | against | same round 0 | AUC diff ({metric}) | 95% CI | p | Holm p |",
             "|---|---|---|---:|---|---:|---:|"]
    for r in pairs.itertuples():
        ci = f"[{fmt(r.diff_ci_low, sign=True)}, {fmt(r.diff_ci_high, sign=True)}]"
        lines.append(f"| {r.arm} | {r.reference} | {'yes' if r.same_round0 else 'no'} | {fmt(r.diff_mean, sign=True)} | "
                     f"{ci} | {fmt(r.p_value, 3)} | {fmt(r.p_holm, 3)} |")
    return "\n".join(lines)


def page(experiment: Path, title: str, command: str, arms: list[str] | None = None) -> str:
    """A results page: the stamp, the command, the ranked AUC table, the per-round table, the pair
    table and the ceiling with the labels each arm needs to reach 95 % of it."""
    import json

    run = json.loads((experiment / "run.json").read_text())
    stats = json.loads((experiment / "curve_stats.json").read_text())
    auc = pd.read_csv(experiment / "auc_table.csv")
    table = pd.read_csv(experiment / "round_table.csv")
    c = stats["ceiling"]
    metric = c["metric"]
    parts = [f"# {title}", "",
             f"Generated by `benchmarks/readme_tables.py` from `{experiment.name}/` (commit `{run['commit']}`, config "
             f"digest `{run['config_digest']}`); do not edit by hand.", "", f"```bash\n{command}\n```", "",
             "## Area under the learning curve, ranked (paired with the random twin over seeds)", "", auc_markdown(auc), "",
             "## Per round", "", rounds_markdown(table, arms or [a for a in auc["arm"] if a != "random"]), ""]
    pairs_path = experiment / "pair_table.csv"
    if pairs_path.is_file() and len(pd.read_csv(pairs_path)):
        parts += ["## Arm against arm", "", pairs_markdown(pd.read_csv(pairs_path)), ""]
    reach = [f"| {arm} | {stats[arm]['labels_to_reach'].get('0.95') or 'not reached'} |" for arm in auc["arm"]]
    parts += ["## The ceiling", "",
              f"All {c['n_labeled']:,} pool rows: {metric} {c[f'{metric}_mean']:.4f}.", "",
              "| arm | labels to reach 95 % of it |", "|---|---:|", *reach, ""]
    return "\n".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", type=Path, help="results/<experiment> folder")
    parser.add_argument("--rounds", action="store_true", help="also the per-round table")
    parser.add_argument("--arms", help="the per-round table's arms, comma-separated (default: all, in AUC order)")
    parser.add_argument("--learners", action="store_true", help="the learner table (learner_table.csv) instead")
    parser.add_argument("--page", metavar="TITLE", help="a whole results page with this title (docs/results/)")
    parser.add_argument("--command", default="", help="with --page: the command that reproduces the run")
    args = parser.parse_args()
    if args.page:
        print(page(args.experiment, args.page, args.command, args.arms.split(",") if args.arms else None), end="")
        return
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
