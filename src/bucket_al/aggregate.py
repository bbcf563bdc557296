"""Step 12: from every model's metrics.json to the experiment's tables and plot."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

SUMMARY_COLUMNS = ["arm", "seed", "round", "n_labeled", "accuracy", "macro_f1"]


def summary_frame(metrics: list[dict]) -> pd.DataFrame:
    """One row per (arm, seed, round); the ceiling's round is empty."""
    df = pd.DataFrame([{c: m[c] for c in SUMMARY_COLUMNS} for m in metrics])
    df["round"] = df["round"].astype("Int64")
    return df.sort_values(["arm", "seed", "round"], na_position="last", kind="stable").reset_index(drop=True)


def paired_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided paired t-test across seeds; NaN with fewer than two pairs or no variance."""
    from scipy.stats import ttest_rel

    d = np.asarray(a) - np.asarray(b)
    if len(d) < 2 or np.allclose(d, d[0]):
        return float("nan")
    return float(ttest_rel(a, b).pvalue)


def round_table(summary: pd.DataFrame, strategy: str, twin: str = "random") -> pd.DataFrame:
    """Per round: mean and std over seeds of both arms, the mean paired difference and its p-value."""
    rows = []
    for rnd, both in summary[summary["arm"].isin([strategy, twin])].groupby("round"):
        s = both[both["arm"] == strategy].set_index("seed")
        t = both[both["arm"] == twin].set_index("seed")
        seeds = s.index.intersection(t.index)
        s, t = s.loc[seeds], t.loc[seeds]
        diff = s["accuracy"] - t["accuracy"]
        rows.append({
            "strategy": strategy, "round": int(rnd), "n_labeled": int(s["n_labeled"].iloc[0]), "seeds": len(seeds),
            "strategy_acc_mean": s["accuracy"].mean(), "strategy_acc_std": s["accuracy"].std(ddof=1),
            "random_acc_mean": t["accuracy"].mean(), "random_acc_std": t["accuracy"].std(ddof=1),
            "diff_acc_mean": diff.mean(), "diff_acc_std": diff.std(ddof=1),
            "p_value": paired_p(s["accuracy"].to_numpy(), t["accuracy"].to_numpy()),
            "strategy_f1_mean": s["macro_f1"].mean(), "random_f1_mean": t["macro_f1"].mean(),
        })
    return pd.DataFrame(rows)


def mean_curve(summary: pd.DataFrame, arm: str) -> pd.DataFrame:
    return (summary[summary["arm"] == arm].groupby("n_labeled")["accuracy"]
            .agg(["mean", "std"]).reset_index().sort_values("n_labeled"))


def area_under_curve(curve: pd.DataFrame) -> float:
    """Area under the mean accuracy vs. labels curve, divided by its width: a mean accuracy over
    the labelled-set sizes tried (the accuracy itself when there is one round)."""
    x, y = curve["n_labeled"].to_numpy(float), curve["mean"].to_numpy(float)
    if len(x) == 1:
        return float(y[0])
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)) / (x[-1] - x[0]))


def labels_to_reach(curve: pd.DataFrame, target: float) -> int | None:
    """Fewest labels whose mean accuracy reaches ``target``; None if no round does."""
    hit = curve[curve["mean"] >= target]
    return int(hit["n_labeled"].iloc[0]) if len(hit) else None


def curve_stats(summary: pd.DataFrame, arms: list[str], fractions: list[float]) -> dict:
    ceiling = summary[summary["arm"] == "ceiling"]["accuracy"]
    stats = {"ceiling": {"accuracy_mean": float(ceiling.mean()), "accuracy_std": float(ceiling.std(ddof=1)) if len(ceiling) > 1 else 0.0,
                         "n_labeled": int(summary[summary["arm"] == "ceiling"]["n_labeled"].iloc[0])}}
    for arm in arms:
        curve = mean_curve(summary, arm)
        stats[arm] = {
            "area_under_curve": area_under_curve(curve),
            "labels_to_reach": {f"{f:g}": labels_to_reach(curve, f * stats["ceiling"]["accuracy_mean"]) for f in fractions},
        }
    return stats


def fmt(mean: float, std: float) -> str:
    return f"{mean:.4f} ± {std:.4f}" if not math.isnan(std) else f"{mean:.4f}"


def render_text(tables: list[pd.DataFrame], stats: dict, arms: list[str]) -> str:
    """The round table and curve statistics as plain text, for the terminal."""
    lines = []
    for table in tables:
        name = table["strategy"].iloc[0]
        lines.append(f"accuracy per round, mean ± std over seeds: {name} vs random (diff = paired, p = paired t-test)")
        lines.append(f"{'round':>5} {'labels':>7} {name:>20} {'random':>20} {'diff':>20} {'p':>7}")
        for r in table.itertuples():
            lines.append(f"{r.round:>5} {r.n_labeled:>7} {fmt(r.strategy_acc_mean, r.strategy_acc_std):>20} "
                         f"{fmt(r.random_acc_mean, r.random_acc_std):>20} {fmt(r.diff_acc_mean, r.diff_acc_std):>20} "
                         f"{r.p_value:>7.3f}")
        lines.append("")
    c = stats["ceiling"]
    lines.append(f"ceiling ({c['n_labeled']} labels): {fmt(c['accuracy_mean'], c['accuracy_std'])}")
    for arm in arms:
        reach = ", ".join(f"{f} of ceiling: {n if n is not None else 'not reached'}"
                          for f, n in stats[arm]["labels_to_reach"].items())
        lines.append(f"{arm}: area under curve {stats[arm]['area_under_curve']:.4f}; labels to reach {reach}")
    return "\n".join(lines) + "\n"


def plot_learning_curve(summary: pd.DataFrame, arms: list[str], path) -> None:
    """Mean ± std bands per arm against labelled-set size, with the ceiling as a line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for arm in arms:
        curve = mean_curve(summary, arm).fillna({"std": 0.0})
        ax.plot(curve["n_labeled"], curve["mean"], marker="o", label=arm)
        ax.fill_between(curve["n_labeled"], curve["mean"] - curve["std"], curve["mean"] + curve["std"], alpha=0.2)
    ceiling = summary[summary["arm"] == "ceiling"]["accuracy"]
    ax.axhline(ceiling.mean(), color="black", linestyle="--", label=f"ceiling (all {summary[summary['arm'] == 'ceiling']['n_labeled'].iloc[0]} rows)")
    if len(ceiling) > 1:
        ax.axhspan(ceiling.mean() - ceiling.std(), ceiling.mean() + ceiling.std(), color="black", alpha=0.08)
    ax.set_xlabel("labelled examples")
    ax.set_ylabel("accuracy on the eval split")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    from .io import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)
