"""Step 12: from every model's metrics.json to the experiment's tables and plot.

Every strategy arm is paired with the same random twin (arm ``random``) seed by seed. Two families of
tests, each Holm-corrected: the headline test, one paired t-test per arm on the per-seed area under
the learning curve (family: the arms), and per-round paired t-tests (family: every arm x round)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .errors import check_choice

SUMMARY_COLUMNS = ["arm", "seed", "round", "n_labeled", "accuracy", "micro_f1", "macro_f1", "model"]
METRICS = ("accuracy", "micro_f1", "macro_f1")
TWIN = "random"
ZERO_SHOT = "zero_shot"  # the zero-shot model: 0 labels, no seed (bucket_al.zero_shot)
ALPHA = 0.05
CONSTANT_NOTE = "constant difference over seeds"
ZERO_NOTE = "no difference on any seed"
FEW_NOTE = "fewer than 2 paired seeds"
ROUND_COLUMNS = ["metric", "arm", "round", "n_labeled", "seeds", "arm_mean", "arm_std", "random_mean", "random_std",
                 "diff_mean", "diff_std", "p_value", "p_holm", "note"]
AUC_COLUMNS = ["metric", "rank", "arm", "seeds", "auc_mean", "auc_ci_low", "auc_ci_high", "paired_seeds",
               "diff_mean", "diff_ci_low", "diff_ci_high", "p_value", "p_holm", "note"]
# differences closer than this count as equal: accuracies are ratios of counts, and two equal
# differences of them can disagree in the last bits of a float
TIE_TOL = 1e-12


def write_csv(df: pd.DataFrame, path) -> None:
    """A table as CSV (no index), atomically."""
    from .io import atomic_path

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


def paired_test(a, b) -> tuple[float, str]:
    """Two-sided paired t-test of ``a`` against ``b`` (one pair per seed): ``(p, note)``.

    - fewer than 2 pairs: ``(nan, FEW_NOTE)``. The t statistic divides the mean difference by its
      standard error, and one pair gives no estimate of how much the difference varies over seeds,
      so there is nothing to test against.
    - every difference zero: ``(1.0, ZERO_NOTE)``; the arms agree on every seed.
    - every difference the same non-zero value: ``(0.0, CONSTANT_NOTE)``; the spread is zero, so the
      t statistic is infinite (scipy itself returns NaN here).
    Differences within ``TIE_TOL`` of each other count as equal."""
    from scipy.stats import ttest_rel

    d = np.asarray(a, float) - np.asarray(b, float)
    if len(d) < 2:
        return float("nan"), FEW_NOTE
    if np.all(np.abs(d) <= TIE_TOL):
        return 1.0, ZERO_NOTE
    if np.ptp(d) <= TIE_TOL:
        return 0.0, CONSTANT_NOTE
    return float(ttest_rel(a, b).pvalue), ""


def paired_p(a, b) -> float:
    """The p-value of :func:`paired_test`."""
    return paired_test(a, b)[0]


def holm(p) -> np.ndarray:
    """Holm's step-down adjusted p-values, in the input's order. NaN p-values (untestable) stay NaN
    and are not counted in the family. The i-th smallest of m p-values becomes
    max over j <= i of min(1, (m - j + 1) * p_(j))."""
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adjusted = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(adjusted) if m else adjusted
    return out


def t_interval(x, level: float = 0.95) -> tuple[float, float]:
    """Two-sided t-interval for the mean of ``x``; NaN bounds with fewer than two values."""
    from scipy.stats import t

    x = np.asarray(x, float)
    if len(x) < 2:
        return float("nan"), float("nan")
    half = t.ppf((1 + level) / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


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


def labels_to_reach(curve: pd.DataFrame, target: float) -> int | None:
    """Fewest labels whose mean reaches ``target``; None if no round does."""
    hit = curve[curve["mean"] >= target]
    return int(hit["n_labeled"].iloc[0]) if len(hit) else None


def supported(row) -> bool:
    """Whether the paired test on the AUC backs the difference: Holm p below ALPHA."""
    return bool(not pd.isna(row["p_holm"]) and row["p_holm"] < ALPHA)


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


STOP_MARKERS = ["v", "s", "D", "P", "X", "^", "*", "h", "<", ">", "p", "d"]


def plot_learning_curve(summary: pd.DataFrame, arms: list[str], path, metric: str,
                        stops: pd.DataFrame | None = None) -> None:
    """Mean ± std bands of ``metric`` per arm against labelled-set size, the ceiling as a line, and
    (``stops``: stopping.csv) each criterion's mean stop point per arm, one marker per criterion."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    check_metric(metric)
    fig, ax = plt.subplots(figsize=(9.5 if stops is not None and not stops.empty else 7, 4.5))
    colours = plt.get_cmap("tab10" if len(arms) <= 10 else "tab20").colors
    for i, arm in enumerate(arms):
        curve = mean_curve(summary, arm, metric).fillna({"std": 0.0})
        style = {"color": "grey", "linestyle": ":"} if arm == TWIN else {"color": colours[i % len(colours)]}
        ax.plot(curve["n_labeled"], curve["mean"], marker="o", label=arm, **style)
        ax.fill_between(curve["n_labeled"], curve["mean"] - curve["std"], curve["mean"] + curve["std"],
                        color=style["color"], alpha=0.15)
        for j, (criterion, at) in enumerate(_stop_points(stops, arm)):
            if at is None:
                continue
            ax.scatter([at[0]], [at[1]], marker=STOP_MARKERS[j % len(STOP_MARKERS)], s=60, zorder=3,
                       color=style["color"], edgecolors="black", linewidths=0.6)
    for j, (criterion, _) in enumerate(_stop_points(stops, None)):
        ax.scatter([], [], marker=STOP_MARKERS[j % len(STOP_MARKERS)], color="white", edgecolors="black",
                   label=f"stop: {criterion}")
    zero = summary[summary["arm"] == ZERO_SHOT]
    if len(zero):  # the 0-label point every curve starts from
        z = float(zero[metric].iloc[0])
        for i, arm in enumerate(arms):
            first = mean_curve(summary, arm, metric).iloc[0]
            ax.plot([0, first["n_labeled"]], [z, first["mean"]], color="grey" if arm == TWIN else colours[i % len(colours)],
                    linestyle=":", alpha=0.6)
        ax.scatter([0], [z], marker="*", s=140, color="black", zorder=4, label="zero-shot (0 labels)")
    ceiling = summary[summary["arm"] == "ceiling"]
    values = ceiling[metric]
    ax.axhline(values.mean(), color="black", linestyle="--", label=f"ceiling (all {ceiling['n_labeled'].iloc[0]} rows)")
    if len(values) > 1:
        ax.axhspan(values.mean() - values.std(), values.mean() + values.std(), color="black", alpha=0.08)
    ax.set_xlabel("labelled examples")
    ax.set_ylabel(f"{metric} on the eval split")
    ax.grid(alpha=0.3)
    if stops is not None and not stops.empty:  # many entries: beside the axes, never over the curves
        ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:
        ax.legend(fontsize="small", ncol=1 + len(arms) // 8)
    fig.tight_layout()
    from .io import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)


def _stop_points(stops: pd.DataFrame | None, arm: str | None) -> list[tuple[str, tuple[float, float] | None]]:
    """Per criterion of ``stops`` (and the oracle), in a fixed order, the mean (labels, metric) at
    the stop over the seeds where it fired for ``arm``, or None where it never fired (and for every
    criterion when ``arm`` is None: the legend's entries)."""
    if stops is None or stops.empty:
        return []
    points = []
    columns = {(c, p): ("n_labeled", "value") for c, p in dict.fromkeys(zip(stops["criterion"], stops["params"]))}
    columns[("oracle", "")] = ("oracle_n_labeled", "oracle_value")
    for (name, params), (x, y) in columns.items():
        criterion = f"{name} ({params})" if params else name
        if name == "oracle":
            rows = stops.drop_duplicates(["arm", "seed"])
        else:
            rows = stops[(stops["criterion"] == name) & (stops["params"] == params)]
        if arm is None:
            points.append((criterion, None))
            continue
        fired = rows[(rows["arm"] == arm) & rows[x].notna()]
        points.append((criterion, (float(fired[x].astype(float).mean()), float(fired[y].astype(float).mean()))
                       if len(fired) else None))
    return points
