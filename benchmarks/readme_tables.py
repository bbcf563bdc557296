"""An experiment's tables as Markdown, from the files the workflow wrote (auc_table.csv,
round_table.csv, pair_table.csv, curve_stats.json, run.json): the published results (docs/results/)
are this script's output, each stamped with the commit and config digest of the run (run.json).
With ``--learners``, the learner table of ``compare.learners`` (learner_table.csv) instead.

    python benchmarks/readme_tables.py results/sst2-arms [--rounds] [--arms a,b,c]
    python benchmarks/readme_tables.py results/sst2-offline --page "Offline SST-2" --command "..." > docs/results/sst2-offline.md
    python benchmarks/readme_tables.py results/sst2-offline --readme sst2-offline docs/results/sst2-offline.md
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


def interval(low, high, sign=False):
    """``[low, high]``, or nothing where there is no interval (one seed)."""
    return "" if fmt(low) == "" else f"[{fmt(low, sign=sign)}, {fmt(high, sign=sign)}]"


def auc_markdown(auc: pd.DataFrame) -> str:
    metric = auc["metric"].iloc[0]
    lines = [f"| rank | arm | AUC ({metric}) | 95% CI | diff to random | 95% CI | p | Holm p |",
             "|---:|---|---:|---|---:|---|---:|---:|"]
    for r in auc.itertuples():
        ci = interval(r.auc_ci_low, r.auc_ci_high)
        dci = "" if r.arm == "random" else interval(r.diff_ci_low, r.diff_ci_high, sign=True)
        lines.append(f"| {r.rank} | {r.arm} | {fmt(r.auc_mean)} | {ci} | {fmt(r.diff_mean, sign=True)} | {dci} | "
                     f"{fmt(r.p_value, 3)} | {fmt(r.p_holm, 3)} |")
    return "\n".join(lines)


def rounds_markdown(table: pd.DataFrame, arms: list[str], zero: float | None = None) -> str:
    metric = table["metric"].iloc[0]
    labels = table.drop_duplicates("round").set_index("round")["n_labeled"]
    random_mean = table.drop_duplicates("round").set_index("round")["random_mean"]
    head = "| round | labels | random | " + " | ".join(arms) + " |"
    lines = [f"{metric}, mean over seeds; in brackets the paired difference to random and its Holm p", "",
             head, "|---:|---:|---:|" + "---|" * len(arms)]
    if zero is not None:  # the zero-shot model: every curve's 0-label point
        lines.append(f"| zero-shot | 0 | {fmt(zero)} |" + " |" * len(arms))
    for rnd in sorted(labels.index):
        cells = []
        for arm in arms:
            row = table[(table["arm"] == arm) & (table["round"] == rnd)].iloc[0]
            p = f", {fmt(row.p_holm, 3)}" if fmt(row.p_holm) else ""  # one seed: no test
            cells.append(f"{fmt(row.arm_mean)} ({fmt(row.diff_mean, sign=True)}{p})")
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
            spread = f" ± {fmt(r['std'])}" if r["seeds"] > 1 else ""  # one seed: no spread, no test
            p = "" if pd.isna(r["p_holm"]) else f" (p {fmt_p(r['p_holm'])})"
            paired = "" if pd.isna(r["diff"]) else f", {fmt(r['diff'], sign=True)}{p}"
            cells.append(f"{fmt(r['mean'])}{spread}{paired}, {r['cpu_s']:.0f} s")
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
        ci = interval(r.diff_ci_low, r.diff_ci_high, sign=True)
        lines.append(f"| {r.arm} | {r.reference} | {'yes' if r.same_round0 else 'no'} | {fmt(r.diff_mean, sign=True)} | "
                     f"{ci} | {fmt(r.p_value, 3)} | {fmt(r.p_holm, 3)} |")
    return "\n".join(lines)


def second_metric_markdown(summary: pd.DataFrame, metric: str, arms: list[str]) -> str:
    """Another metric of summary.csv per round (mean over seeds), the zero-shot point first: micro-F1
    beside a macro-F1 experiment."""
    rows = summary[summary["round"].notna()]
    means = rows.groupby(["arm", "round"])[metric].mean()
    labels = rows.drop_duplicates("round").set_index("round")["n_labeled"]
    cols = ["random", *arms]
    lines = [f"| round | labels | {' | '.join(cols)} |", "|---:|---:|" + "---:|" * len(cols)]
    zero = summary[summary["arm"] == "zero_shot"]
    if len(zero):
        lines.append(f"| zero-shot | 0 | {fmt(zero[metric].iloc[0])} (every arm's 0-label point) |" + " |" * (len(cols) - 1))
    for rnd in sorted(labels.index):
        lines.append(f"| {int(rnd)} | {labels[rnd]} | " + " | ".join(fmt(means.get((a, rnd))) for a in cols) + " |")
    ceiling = summary.loc[summary["arm"] == "ceiling", metric].mean()
    lines.append(f"| ceiling | {int(summary.loc[summary['arm'] == 'ceiling', 'n_labeled'].iloc[0]):,} | {fmt(ceiling)} |"
                 + " |" * (len(cols) - 1))
    return "\n".join(lines)


def page(experiment: Path, title: str, command: str, arms: list[str] | None = None, note: str = "") -> str:
    """A results page: the stamp, the command (and a note on how it was run, if any), the ranked AUC
    table, the per-round table (the zero-shot point above round 0), the pair table, the learners of
    ``compare.learners`` on the same manifests, the ceiling with the labels each arm needs to reach 95 %
    of it, and for a macro-F1 experiment micro-F1 per round."""
    import json

    run = json.loads((experiment / "run.json").read_text())
    stats = json.loads((experiment / "curve_stats.json").read_text())
    auc = pd.read_csv(experiment / "auc_table.csv")
    table = pd.read_csv(experiment / "round_table.csv")
    c = stats["ceiling"]
    metric = c["metric"]
    arms = arms or [a for a in auc["arm"] if a != "random"]
    zero = stats.get("zero_shot")
    zero_line = ([f"Zero-shot, 0 labels (embedding similarity to the label texts): {metric} {zero[metric]:.4f}, "
                  f"{zero['of_ceiling']:.1%} of the ceiling: the point every curve starts from.", ""] if zero else [])
    parts = [f"# {title}", "",
             f"Generated by `benchmarks/readme_tables.py` from `{experiment.name}/` (commit `{run['commit']}`, config "
             f"digest `{run['config_digest']}`); do not edit by hand.", "", f"```bash\n{command}\n```", "",
             *([note, ""] if note else []),
             "## Area under the learning curve, ranked (paired with the random twin over seeds)", "", auc_markdown(auc), "",
             "## Per round", "", *zero_line,
             rounds_markdown(table, arms, zero[metric] if zero else None), ""]
    pairs_path = experiment / "pair_table.csv"
    if pairs_path.is_file() and len(pd.read_csv(pairs_path)):
        parts += ["## Arm against arm", "", pairs_markdown(pd.read_csv(pairs_path)), ""]
    learners_path = experiment / "learner_table.csv"
    if learners_path.is_file():
        parts += ["## Learners on the same manifests", "",
                  f"{metric}, mean ± std over seeds, the paired difference to the experiment's learner (Holm p), and "
                  "the mean CPU seconds of one model", "", learners_markdown(pd.read_csv(learners_path)), ""]
    reach = [f"| {arm} | {stats[arm]['labels_to_reach'].get('0.95') or 'not reached'} |" for arm in auc["arm"]]
    parts += ["## The ceiling", "",
              f"All {c['n_labeled']:,} pool rows: {metric} {c[f'{metric}_mean']:.4f}.", "",
              "| arm | labels to reach 95 % of it |", "|---|---:|", *reach, ""]
    if metric == "macro_f1":
        parts += [MACRO_NOTE, ""]
    summary = pd.read_csv(experiment / "summary.csv")
    if metric == "macro_f1" and "micro_f1" in summary and summary["micro_f1"].notna().all():
        parts += ["## micro-F1 per round", "", "mean over seeds", "", second_metric_markdown(summary, "micro_f1", arms), ""]
    return "\n".join(parts)


MACRO_NOTE = "Macro-F1 averages the labels present in the eval split (single- and multi-label alike)."


def headline(experiment: Path, link: str) -> str:
    """The README's block for one experiment: the ranked AUC table, the zero-shot point and the
    ceiling, stamped with the run's commit and config digest, linking its page."""
    import json

    run = json.loads((experiment / "run.json").read_text())
    stats = json.loads((experiment / "curve_stats.json").read_text())
    c, zero = stats["ceiling"], stats.get("zero_shot")
    metric = c["metric"]
    lines = [auc_markdown(pd.read_csv(experiment / "auc_table.csv")), "",
             f"Ceiling ({c['n_labeled']:,} labels): {metric} {c[f'{metric}_mean']:.4f}."
             + (f" Zero-shot (0 labels): {zero[metric]:.4f}, {zero['of_ceiling']:.1%} of the ceiling." if zero else "")
             + (f" {MACRO_NOTE}" if metric == "macro_f1" else "")
             + f" Generated from `{experiment.name}/` at commit `{run['commit'][:12]}` (config `{run['config_digest']}`);"
             f" per round and arm against arm: [{link}]({link})."]
    return "\n".join(lines)


def replace_block(readme: Path, name: str, text: str) -> None:
    """Put ``text`` between ``<!-- RESULTS:name -->`` and ``<!-- /RESULTS:name -->`` in ``readme``."""
    body = readme.read_text()
    start, end = f"<!-- RESULTS:{name} -->", f"<!-- /RESULTS:{name} -->"
    if start not in body:
        raise SystemExit(f"{readme}: no {start} marker")
    head, rest = body.split(start, 1)
    tail = rest.split(end, 1)[1] if end in rest else rest
    readme.write_text(f"{head}{start}\n{text}\n{end}{tail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", type=Path, help="results/<experiment> folder")
    parser.add_argument("--rounds", action="store_true", help="also the per-round table")
    parser.add_argument("--arms", help="the per-round table's arms, comma-separated (default: all, in AUC order)")
    parser.add_argument("--learners", action="store_true", help="the learner table (learner_table.csv) instead")
    parser.add_argument("--page", metavar="TITLE", help="a whole results page with this title (docs/results/)")
    parser.add_argument("--command", default="", help="with --page: the command that reproduces the run")
    parser.add_argument("--note", default="", help="with --page: a paragraph under the command (how it was run)")
    parser.add_argument("--readme", nargs=2, metavar=("NAME", "PAGE"),
                        help="write the headline block between README.md's <!-- RESULTS:NAME --> markers, linking PAGE")
    args = parser.parse_args()
    if args.readme:
        replace_block(Path(__file__).resolve().parents[1] / "README.md", args.readme[0],
                      headline(args.experiment, args.readme[1]))
        return
    if args.page:
        print(page(args.experiment, args.page, args.command, args.arms.split(",") if args.arms else None, args.note),
              end="")
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
