"""The learning-curve plot."""

from __future__ import annotations

import pandas as pd

from .tables import TWIN, ZERO_SHOT, check_metric, mean_curve


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
    from ..io import atomic_path

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
