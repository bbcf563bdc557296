"""Learners side by side (``compare.learners``): every compared learner is trained on the same
manifests as the experiment's own learner (which chose the rows), so the learner table holds each
learner at the same label counts and seeds, for every arm and its random twin, with the full-data
models and the CPU time of every model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .aggregate import check_metric, fmt

TABLE_COLUMNS = ["learner", "arm", "round", "n_labeled", "seeds", "mean", "std", "of_full", "cpu_s", "cpu_s_total"]


def cpu_seconds(benchmark) -> float:
    """The CPU seconds of a job from its Snakemake benchmark file (``cpu_time``), NaN without one."""
    try:
        return float(pd.read_csv(benchmark, sep="\t")["cpu_time"].iloc[-1])
    except (FileNotFoundError, KeyError, IndexError):
        return float("nan")


def learner_table(records: pd.DataFrame, metric: str, full: str) -> pd.DataFrame:
    """Mean ± std over seeds of ``metric`` per learner, arm and round, with the mean CPU seconds of
    a model and their total. ``records``: one row per model (learner, arm, seed, round, n_labeled,
    the metrics, cpu_s); the arm ``ceiling`` (round NA) holds the full-data models. ``of_full``:
    the mean as a fraction of learner ``full``'s full-data model (the experiment's ceiling)."""
    check_metric(metric)
    df = records.copy()
    df["round"] = df["round"].astype("Int64")
    keys = ["learner", "arm", "round", "n_labeled"]
    out = (df.groupby(keys, dropna=False, sort=False)
             .agg(seeds=("seed", "nunique"), mean=(metric, "mean"), std=(metric, "std"),
                  cpu_s=("cpu_s", "mean"), cpu_s_total=("cpu_s", "sum"))
             .reset_index())
    ceiling = out.loc[(out["learner"] == full) & (out["arm"] == "ceiling"), "mean"]
    out["of_full"] = out["mean"] / ceiling.iloc[0] if len(ceiling) else np.nan
    out["std"] = out["std"].fillna(0.0)
    out["ceiling_last"] = out["arm"] == "ceiling"
    out = out.sort_values(["ceiling_last", "n_labeled", "arm", "learner"], kind="stable")
    return out[TABLE_COLUMNS].reset_index(drop=True)


def render_learner_table(table: pd.DataFrame, metric: str, learners: list[str], full: str) -> str:
    """The learner table as text: a line per (labels, arm), a column per learner holding
    ``mean ± std (CPU s per model)``; the full-data models; the CPU seconds per learner in all."""
    width = 26
    lines = [f"{metric} per learner, mean ± std over seeds (CPU seconds per model); every learner trained on the same "
             f"manifests, chosen by {full}; 'of full' = the best learner's mean / {full}'s full-data model"]
    lines.append(f"{'labels':>7} {'arm':<16} " + " ".join(f"{n:>{width}}" for n in learners) + f" {'best':>10} {'of full':>7}")
    cell = {(r.learner, r.arm, r.n_labeled): r for r in table.itertuples()}
    for (n, arm), _ in table.groupby(["n_labeled", "arm"], sort=False):
        row = [cell.get((name, arm, n)) for name in learners]
        texts = [f"{fmt(r.mean, r.std)} ({r.cpu_s:.0f}s)" if r is not None else "-" for r in row]
        present = [r for r in row if r is not None]
        best = max(present, key=lambda r: r.mean)
        label = "full data" if arm == "ceiling" else arm
        lines.append(f"{n:>7} {label:<16} " + " ".join(f"{t:>{width}}" for t in texts)
                     + f" {best.learner:>10} {best.of_full:>7.3f}")
    totals = table.groupby("learner")["cpu_s_total"].sum()
    lines.append("CPU seconds in all: " + ", ".join(f"{n} {totals.get(n, 0):.0f}" for n in learners))
    return "\n".join(lines) + "\n"
