"""The experiment's tables: the summary of every model, per-round and AUC tests against the twin, arm against arm, curve statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import check_choice
from .stats import holm, paired_test, supported, t_interval


SUMMARY_COLUMNS = ["arm", "seed", "round", "n_labeled", "accuracy", "micro_f1", "macro_f1", "model"]
METRICS = ("accuracy", "micro_f1", "macro_f1")
TWIN = "random"
ZERO_SHOT = "zero_shot"  # the zero-shot model: 0 labels, no seed (bucket_al.zero_shot)
ROUND_COLUMNS = ["metric", "arm", "round", "n_labeled", "seeds", "arm_mean", "arm_std", "random_mean", "random_std",
                 "diff_mean", "diff_std", "p_value", "p_holm", "note"]
AUC_COLUMNS = ["metric", "rank", "arm", "seeds", "auc_mean", "auc_ci_low", "auc_ci_high", "paired_seeds",
               "diff_mean", "diff_ci_low", "diff_ci_high", "p_value", "p_holm", "note"]


def write_csv(df: pd.DataFrame, path) -> None:
    """A table as CSV (no index), atomically."""
    from ..io import atomic_path

    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)


def check_metric(metric: str) -> str:
    check_choice("evaluate.metric", "metric", metric, METRICS)
    return metric


def arm_rows(metrics: list[dict], arms: dict[str, str]) -> list[dict]:
    """Each model's metrics (``unit``: the folder that trained it) as rows of the arms' curves.
    ``arms`` maps each arm to the unit of its round 0 (its cold start, shared by every arm that
    starts the same way): that model's row appears once per arm that uses it. The random twin and
    the ceiling are their own arms; ``model`` keeps the unit."""
    rows = []
    for m in metrics:
        unit = m["unit"]
        names = [unit] if unit in ("random", "ceiling", ZERO_SHOT) or unit in arms else []
        if m.get("round") == 0:
            names += [arm for arm, cold in arms.items() if cold == unit and arm != unit]
        rows += [{**m, "arm": name, "model": unit} for name in names]
    return rows


def summary_frame(metrics: list[dict]) -> pd.DataFrame:
    """One row per (arm, seed, round); the ceiling's round is empty, the zero-shot model's seed too."""
    df = pd.DataFrame([{**{c: m[c] for c in SUMMARY_COLUMNS if c != "model"}, "model": m.get("model", m["arm"])}
                       for m in metrics])
    df["round"] = df["round"].astype("Int64")
    df["seed"] = df["seed"].astype("Int64")  # the zero-shot model has none
    return df.sort_values(["arm", "seed", "round"], na_position="last", kind="stable").reset_index(drop=True)


def _paired(summary: pd.DataFrame, arm: str, twin: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = summary[summary["arm"] == arm].set_index("seed")
    t = summary[summary["arm"] == twin].set_index("seed")
    seeds = s.index.intersection(t.index).sort_values()
    return s.loc[seeds], t.loc[seeds]


def round_table(summary: pd.DataFrame, arms: list[str], metric: str, twin: str = TWIN) -> pd.DataFrame:
    """Long table, one row per (arm, round): mean and std over the paired seeds of the arm and its
    random twin, the mean paired difference, its paired t-test, and the Holm-adjusted p-value over
    the whole family of rows (all arms x rounds)."""
    check_metric(metric)
    rows = []
    for arm in arms:
        both = summary[summary["arm"].isin([arm, twin])]
        for rnd, own in both[both["arm"] == arm].groupby("round"):
            s, t = _paired(both[both["round"] == rnd], arm, twin)
            p, note = paired_test(s[metric].to_numpy(), t[metric].to_numpy())
            diff = s[metric].to_numpy() - t[metric].to_numpy()
            rows.append({
                "metric": metric, "arm": arm, "round": int(rnd), "n_labeled": int(own["n_labeled"].iloc[0]),
                "seeds": len(s), "arm_mean": s[metric].mean(), "arm_std": s[metric].std(ddof=1),
                "random_mean": t[metric].mean(), "random_std": t[metric].std(ddof=1),
                "diff_mean": diff.mean() if len(diff) else float("nan"),
                "diff_std": diff.std(ddof=1) if len(diff) > 1 else float("nan"),
                "p_value": p, "note": note,
            })
    table = pd.DataFrame(rows, columns=[c for c in ROUND_COLUMNS if c != "p_holm"])
    table.insert(ROUND_COLUMNS.index("p_holm"), "p_holm", holm(table["p_value"]))
    return table


def mean_curve(summary: pd.DataFrame, arm: str, metric: str) -> pd.DataFrame:
    return (summary[summary["arm"] == arm].groupby("n_labeled")[metric]
            .agg(["mean", "std"]).reset_index().sort_values("n_labeled"))


def area_under_curve(curve: pd.DataFrame, column: str = "mean") -> float:
    """Area under ``column`` vs. labels (trapezoids), divided by its width: a mean of the metric
    over the labelled-set sizes tried (the value itself when there is one round)."""
    curve = curve.sort_values("n_labeled")
    x, y = curve["n_labeled"].to_numpy(float), curve[column].to_numpy(float)
    if len(x) == 1:
        return float(y[0])
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)) / (x[-1] - x[0]))


def seed_auc(summary: pd.DataFrame, arm: str, metric: str, complete: bool = True) -> pd.Series:
    """Area under each seed's own learning curve, indexed by seed. With ``complete``, a seed that
    lacks some of the arm's labelled-set sizes is left out: its area would cover another range and
    not compare. Without (selection.stop: each seed stops at its own round), every seed counts over
    the rounds it ran."""
    rows = summary[summary["arm"] == arm]
    sizes = set(rows["n_labeled"])
    auc = {seed: area_under_curve(curve, metric) for seed, curve in rows.groupby("seed")
           if not complete or set(curve["n_labeled"]) == sizes}
    return pd.Series(auc, name="auc", dtype=float).rename_axis("seed").sort_index()


def twin_auc_over(summary: pd.DataFrame, arm: str, metric: str, twin: str = TWIN) -> pd.Series:
    """Per seed, the twin's AUC over exactly the labelled-set sizes the arm has on that seed (the
    same as its whole curve with fixed rounds; with selection.stop, up to the arm's stop)."""
    own, other = summary[summary["arm"] == arm], summary[summary["arm"] == twin]
    auc = {}
    for seed, curve in own.groupby("seed"):
        t = other[(other["seed"] == seed) & other["n_labeled"].isin(curve["n_labeled"])]
        if set(t["n_labeled"]) == set(curve["n_labeled"]):
            auc[seed] = area_under_curve(t, metric)
    return pd.Series(auc, name="auc", dtype=float).rename_axis("seed").sort_index()


def auc_table(summary: pd.DataFrame, arms: list[str], metric: str, twin: str = TWIN,
              complete: bool = True) -> pd.DataFrame:
    """The headline comparison, ranked best first: per arm (the twin included) the mean per-seed AUC
    with a 95 % t-interval over seeds; per non-twin arm the mean paired AUC difference to the twin
    (over the same labelled-set sizes, :func:`twin_auc_over`), its 95 % t-interval, the paired
    t-test's p and Holm's p over the arms. Equal means share a rank. ``complete=False`` with
    selection.stop (see :func:`seed_auc`)."""
    check_metric(metric)
    rows = []
    for arm in [*arms, twin]:
        auc = seed_auc(summary, arm, metric, complete)
        row = {"metric": metric, "arm": arm, "seeds": len(auc), "auc_mean": auc.mean() if len(auc) else float("nan")}
        row["auc_ci_low"], row["auc_ci_high"] = t_interval(auc)
        if arm == twin:
            row["note"] = "reference"
        else:
            twin_auc = twin_auc_over(summary, arm, metric, twin)
            seeds = auc.index.intersection(twin_auc.index)
            diff = auc[seeds] - twin_auc[seeds]
            row["paired_seeds"] = len(seeds)
            row["diff_mean"] = diff.mean() if len(diff) else float("nan")
            row["diff_ci_low"], row["diff_ci_high"] = t_interval(diff)
            row["p_value"], row["note"] = paired_test(auc[seeds].to_numpy(), twin_auc[seeds].to_numpy())
        rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=AUC_COLUMNS)
    table["paired_seeds"] = table["paired_seeds"].astype("Int64")
    table["p_holm"] = holm(table["p_value"])
    table["rank"] = table["auc_mean"].rank(method="min", ascending=False).astype("Int64")
    table = table.sort_values(["rank", "arm"], na_position="last", kind="stable").reset_index(drop=True)
    return table.reindex(columns=AUC_COLUMNS)


PAIR_COLUMNS = ["metric", "arm", "reference", "same_round0", "paired_seeds", "diff_mean", "diff_ci_low", "diff_ci_high",
                "p_value", "p_holm", "note"]
REFERENCES = ("within_bucket", "entropy")  # the seed's method and a user's first pick


def pair_table(summary: pd.DataFrame, arms: dict[str, str], metric: str, references=REFERENCES,
               complete: bool = True) -> pd.DataFrame:
    """Every arm against each reference arm of the experiment (the seed's ``within_bucket``, plain
    ``entropy``), not only against the random twin: per pair, the mean paired difference of the
    per-seed AUC (the reference's over the arm's labelled-set sizes), its 95 % t-interval, the paired
    t-test over seeds and Holm's p over every pair of the table. ``arms``: arm -> the unit of its round
    0; ``same_round0`` says whether the two share that model (then only their rounds >= 1 differ)."""
    check_metric(metric)
    rows = []
    for reference in [r for r in references if r in arms]:
        for arm in [a for a in arms if a != reference]:
            auc = seed_auc(summary, arm, metric, complete)
            ref = twin_auc_over(summary, arm, metric, reference)
            seeds = auc.index.intersection(ref.index)
            diff = auc[seeds] - ref[seeds]
            row = {"metric": metric, "arm": arm, "reference": reference, "same_round0": arms[arm] == arms[reference],
                   "paired_seeds": len(seeds), "diff_mean": diff.mean() if len(diff) else float("nan")}
            row["diff_ci_low"], row["diff_ci_high"] = t_interval(diff)
            row["p_value"], row["note"] = paired_test(auc[seeds].to_numpy(), ref[seeds].to_numpy())
            rows.append(row)
    table = pd.DataFrame(rows, columns=[c for c in PAIR_COLUMNS if c != "p_holm"])
    table.insert(PAIR_COLUMNS.index("p_holm"), "p_holm", holm(table["p_value"]))
    return table


def labels_to_reach(curve: pd.DataFrame, target: float) -> int | None:
    """Fewest labels whose mean reaches ``target``; None if no round does."""
    hit = curve[curve["mean"] >= target]
    return int(hit["n_labeled"].iloc[0]) if len(hit) else None


def _num(x):
    return None if pd.isna(x) else float(x)


def curve_stats(summary: pd.DataFrame, auc: pd.DataFrame, fractions: list[float]) -> dict:
    """The ceiling (mean, std, labels) and per arm of ``auc`` (see :func:`auc_table`): the mean
    per-seed AUC and its 95 % interval, the labels its mean curve needs to reach each fraction of
    the ceiling, and for each non-twin arm the headline test against the twin (``vs_random``)."""
    metric = auc["metric"].iloc[0]
    ceiling = summary[summary["arm"] == "ceiling"]
    values = ceiling[metric]
    stats = {"ceiling": {"metric": metric, f"{metric}_mean": float(values.mean()),
                         f"{metric}_std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
                         "n_labeled": int(ceiling["n_labeled"].iloc[0])}}
    zero = summary[summary["arm"] == ZERO_SHOT]
    if len(zero):
        value = float(zero[metric].iloc[0])
        stats[ZERO_SHOT] = {"metric": metric, metric: value, "n_labeled": 0,
                            "of_ceiling": value / stats["ceiling"][f"{metric}_mean"]}
    for row in auc.to_dict("records"):
        curve = mean_curve(summary, row["arm"], metric)
        arm = stats[row["arm"]] = {
            "metric": metric, "rank": int(row["rank"]) if not pd.isna(row["rank"]) else None,
            "area_under_curve": _num(row["auc_mean"]), "auc_ci95": [_num(row["auc_ci_low"]), _num(row["auc_ci_high"])],
            "seeds": int(row["seeds"]),
            "labels_to_reach": {f"{f:g}": labels_to_reach(curve, f * stats["ceiling"][f"{metric}_mean"])
                                for f in fractions},
        }
        if row["note"] != "reference":
            arm["vs_random"] = {
                "test": "paired t-test over seeds on the per-seed AUC, Holm-corrected across arms",
                "paired_seeds": int(row["paired_seeds"]), "diff_mean": _num(row["diff_mean"]),
                "diff_ci95": [_num(row["diff_ci_low"]), _num(row["diff_ci_high"])],
                "p_value": _num(row["p_value"]), "p_holm": _num(row["p_holm"]), "note": row["note"],
                "supported": supported(row),
            }
    return stats
