"""Learners side by side (``compare.learners``): every compared learner is trained on the same
manifests as the experiment's own learner (which chose the rows), so the learner table holds each
learner at the same label counts and seeds, for every arm and its random twin, with the full-data
models and the CPU time of every model. Each compared learner is also paired with the experiment's
own learner, seed by seed, on the same manifests (a paired t-test, Holm over every such test).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .aggregate import check_metric, fmt, fmt_p, holm, paired_p

TABLE_COLUMNS = ["learner", "arm", "round", "n_labeled", "seeds", "mean", "std", "of_full", "diff", "p_holm",
                 "cpu_s", "cpu_s_total"]
KEYS = ["learner", "arm", "round", "n_labeled"]


def cpu_seconds(benchmark) -> float:
    """The CPU seconds of a job from its Snakemake benchmark file (``cpu_time``), NaN without one."""
    try:
        return float(pd.read_csv(benchmark, sep="\t")["cpu_time"].iloc[-1])
    except (FileNotFoundError, KeyError, IndexError):
        return float("nan")


def paired_with(records: pd.DataFrame, metric: str, full: str) -> pd.DataFrame:
    """Every other learner against learner ``full`` on the same manifests: per learner, arm and
    round, ``diff`` (the mean over seeds of the learner's metric minus ``full``'s on the same seed),
    ``p`` (paired t-test over those seeds, :func:`bucket_al.aggregate.paired_p`) and ``p_holm``
    (Holm over every such test of the table). The full-data models are not paired: each learner
    has its own pool-wide model, not a manifest shared with ``full``."""
    df = records[records["arm"] != "ceiling"]
    own = df.loc[df["learner"] == full, ["arm", "round", "seed", metric]]
    pairs = df[df["learner"] != full].merge(own, on=["arm", "round", "seed"], suffixes=("", "_full"))
    rows = [{**dict(zip(KEYS, key)), "diff": float((g[metric] - g[f"{metric}_full"]).mean()),
             "p": paired_p(g[metric], g[f"{metric}_full"])}
            for key, g in pairs.groupby(KEYS, sort=False)]
    out = pd.DataFrame(rows, columns=[*KEYS, "diff", "p"])
    out["p_holm"] = holm(out["p"])
    return out


def learner_table(records: pd.DataFrame, metric: str, full: str) -> pd.DataFrame:
    """Mean ± std over seeds of ``metric`` per learner, arm and round, with the mean CPU seconds of
    a model and their total. ``records``: one row per model (learner, arm, seed, round, n_labeled,
    the metrics, cpu_s); the arm ``ceiling`` (round NA) holds the full-data models. ``of_full``:
    the mean as a fraction of learner ``full``'s full-data model (the experiment's ceiling).
    ``diff`` and ``p_holm``: paired against ``full`` on the same manifests (:func:`paired_with`);
    empty for ``full`` itself and for the full-data models."""
    check_metric(metric)
    df = records.copy()
    df["round"] = df["round"].astype("Int64")
    out = (df.groupby(KEYS, dropna=False, sort=False)
             .agg(seeds=("seed", "nunique"), mean=(metric, "mean"), std=(metric, "std"),
                  cpu_s=("cpu_s", "mean"), cpu_s_total=("cpu_s", "sum"))
             .reset_index())
    ceiling = out.loc[(out["learner"] == full) & (out["arm"] == "ceiling"), "mean"]
    out["of_full"] = out["mean"] / ceiling.iloc[0] if len(ceiling) else np.nan
    out["std"] = out["std"].fillna(0.0)
    pairs = paired_with(df, metric, full)[[*KEYS, "diff", "p_holm"]]
    pairs["round"] = pairs["round"].astype("Int64")
    out = out.merge(pairs, on=KEYS, how="left")
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
    tested = table.dropna(subset=["diff"])
    if len(tested):
        lines.append(f"paired with {full} on the same manifests: mean difference over seeds (Holm p over "
                     f"{int(tested['p_holm'].notna().sum())} paired t-tests)")
        for (n, arm), _ in tested.groupby(["n_labeled", "arm"], sort=False):
            texts = [f"{r.diff:+.4f} ({fmt_p(r.p_holm)})" if (r := cell.get((name, arm, n))) is not None
                     and not pd.isna(r.diff) else "-" for name in learners]
            lines.append(f"{n:>7} {arm:<16} " + " ".join(f"{t:>{width}}" for t in texts))
    totals = table.groupby("learner")["cpu_s_total"].sum()
    lines.append("CPU seconds in all: " + ", ".join(f"{n} {totals.get(n, 0):.0f}" for n in learners))
    return "\n".join(lines) + "\n"
