"""The experiment's tables as text (results.txt)."""

from __future__ import annotations

import math

import pandas as pd

from .stats import ALPHA, supported
from .tables import ZERO_SHOT


def render_pairs(pairs: pd.DataFrame) -> list[str]:
    """The pair table as text lines (none when the experiment has no reference arm and another arm)."""
    if pairs.empty:
        return []
    metric = pairs["metric"].iloc[0]
    lines = [f"arm against arm: paired difference of the per-seed AUC ({metric}) with its 95% t-interval; p = paired "
             f"t-test over seeds, p_holm = Holm over the {int(pairs['p_value'].notna().sum())} pairs; same round 0: the "
             "two share their cold start's model",
             f"{'arm':<20} {'vs':<16} {'same round 0':>12} {'seeds':>5} {'diff':>8} {'95% CI':>18} {'p':>7} {'p_holm':>7}"]
    for r in pairs.itertuples():
        lines.append(f"{r.arm:<20} {r.reference:<16} {'yes' if r.same_round0 else 'no':>12} {r.paired_seeds:>5} "
                     f"{r.diff_mean:>+8.4f} {fmt_ci(r.diff_ci_low, r.diff_ci_high):>18} {fmt_p(r.p_value):>7} "
                     f"{fmt_p(r.p_holm):>7}  {r.note}".rstrip())
    return [*lines, ""]


def fmt(mean: float, std: float) -> str:
    return f"{mean:.4f} ± {std:.4f}" if not math.isnan(std) else f"{mean:.4f}"


def fmt_p(p: float) -> str:
    return "nan" if pd.isna(p) else f"{p:.3f}" if p >= 0.001 else f"{p:.0e}" if p > 0 else "0"


def fmt_ci(lo: float, hi: float) -> str:
    return "" if pd.isna(lo) else f"[{lo:.4f}, {hi:.4f}]"


def reading(row) -> str:
    """One line: whether the arm's AUC difference to random is backed by the paired test."""
    arm, d = row["arm"], row["diff_mean"]
    if pd.isna(row["p_value"]):
        return f"{arm}: AUC difference to random {d:+.4f} cannot be tested ({row['note']})"
    if supported(row):
        side = "higher" if d > 0 else "lower"
        return (f"{arm}: AUC {side} than random by {abs(d):.4f}, supported by the paired test "
                f"(Holm p = {fmt_p(row['p_holm'])} < {ALPHA:g})")
    return (f"{arm}: AUC difference to random {d:+.4f} is not supported by the paired test "
            f"(Holm p = {fmt_p(row['p_holm'])} >= {ALPHA:g}); the arms cannot be told apart")


def render_text(table: pd.DataFrame, auc: pd.DataFrame, stats: dict, seeds: int, warnings=None,
                stop_lines=None, pairs: pd.DataFrame | None = None, notes=None) -> str:
    """Everything a run ends with, as plain text: the metric, seeds, the data's notes (labels.json:
    for a multi-label data set its labels, cardinality and rarest labels) and warnings; per arm the
    per-round table; the ranked AUC table; the ceiling and labels to reach its fractions; one
    reading per arm of the headline test; and the stopping criteria in hindsight (``stop_lines``)."""
    metric = stats["ceiling"]["metric"]
    lines = [f"metric: {metric}; seeds: {seeds}"]
    lines += [f"data: {n}" for n in notes or []]
    lines += [f"data warning: {w}" for w in warnings or []] or ["data warnings: none"]
    lines.append("")
    family = int(table["p_value"].notna().sum())
    for arm, rows in table.groupby("arm", sort=False):
        lines.append(f"{metric} per round, mean ± std over seeds: {arm} vs random (diff = paired; p = paired "
                     f"t-test over seeds; p_holm = Holm over all {family} arm x round tests)")
        lines.append(f"{'round':>5} {'labels':>7} {'seeds':>5} {arm:>20} {'random':>20} {'diff':>20} "
                     f"{'p':>7} {'p_holm':>7}  note")
        for r in rows.itertuples():
            lines.append(f"{r.round:>5} {r.n_labeled:>7} {r.seeds:>5} {fmt(r.arm_mean, r.arm_std):>20} "
                         f"{fmt(r.random_mean, r.random_std):>20} {fmt(r.diff_mean, r.diff_std):>20} "
                         f"{fmt_p(r.p_value):>7} {fmt_p(r.p_holm):>7}  {r.note}".rstrip())
        lines.append("")
    lines.append(f"area under the {metric} curve per seed, ranked: mean and 95% t-interval over seeds; diff = paired "
                 f"vs random with its 95% t-interval (not adjusted for the number of arms); p = paired t-test, "
                 f"p_holm = Holm over {len(auc) - 1} arms")
    lines.append(f"{'rank':>4} {'arm':<20} {'seeds':>5} {'auc':>7} {'95% CI':>18} {'diff':>8} {'95% CI':>18} "
                 f"{'p':>7} {'p_holm':>7}  note")
    for r in auc.itertuples():
        diff = "" if pd.isna(r.diff_mean) else f"{r.diff_mean:+.4f}"
        p = "" if r.note == "reference" else fmt_p(r.p_value)
        p_holm = "" if r.note == "reference" else fmt_p(r.p_holm)
        rank = "" if pd.isna(r.rank) else r.rank
        lines.append(f"{rank:>4} {r.arm:<20} {r.seeds:>5} {r.auc_mean:>7.4f} {fmt_ci(r.auc_ci_low, r.auc_ci_high):>18} "
                     f"{diff:>8} {fmt_ci(r.diff_ci_low, r.diff_ci_high):>18} {p:>7} {p_holm:>7}  {r.note}".rstrip())
    lines.append("")
    c = stats["ceiling"]
    lines.append(f"ceiling ({c['n_labeled']} labels): {fmt(c[f'{metric}_mean'], c[f'{metric}_std'])}")
    if ZERO_SHOT in stats:
        z = stats[ZERO_SHOT]
        lines.append(f"zero-shot (0 labels, embedding similarity to the label texts): {z[metric]:.4f}, "
                     f"{z['of_ceiling']:.1%} of the ceiling")
    for arm in auc["arm"]:
        reach = ", ".join(f"{f} of ceiling: {n if n is not None else 'not reached'}"
                          for f, n in stats[arm]["labels_to_reach"].items())
        lines.append(f"{arm}: labels to reach {reach}")
    lines.append("")
    lines += [reading(row) for row in auc.to_dict("records") if row["note"] != "reference"]
    if pairs is not None and not pairs.empty:
        lines += ["", *render_pairs(pairs)]
    if stop_lines:
        lines += ["", "stopping criteria in hindsight (stopping.csv): mean over the seeds where each fired", *stop_lines]
    return "\n".join(lines) + "\n"
