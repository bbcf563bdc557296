"""Rule stopping: hindsight table of every stopping criterion (stopping.csv) and what the criteria
saw per round (stop_trace.csv)."""
from pathlib import Path

import pandas as pd

from bucket_al.aggregate import arm_rows, write_csv
from bucket_al.io import named_files, read_json
from bucket_al.runtime import run_step
from bucket_al.stopping import hindsight, read_stop_predictions, trace


def main(smk):
    p = smk.params
    paths = list(dict.fromkeys(named_files(smk.input, "metrics")))
    metrics = [read_json(path) for path in paths]
    folder = {(m["unit"], m["seed"], m["round"]): Path(path).parent for m, path in zip(metrics, paths)}
    with_stop_set = any(k.startswith("stop_") for k in smk.input.keys())
    rows = pd.DataFrame(arm_rows(metrics, dict(p.arms)))
    ceiling = pd.DataFrame([read_json(path) for path in smk.input.ceiling])[p.metric].mean()
    curves, nexts, traces = {}, {}, []
    for (arm, seed), curve in rows.groupby(["arm", "seed"]):
        curve = curve.sort_values("round").reset_index(drop=True)
        proba = None
        if with_stop_set:
            proba = read_stop_predictions([folder[(u, seed, r)] / "stop_set.parquet"
                                           for u, r in zip(curve["model"], curve["round"])])
            thresholds = curve["threshold"].tolist() if "threshold" in curve else None
            traces.append(trace(proba, thresholds).assign(arm=arm, seed=seed, n_labeled=curve["n_labeled"],
                                              **{p.metric: curve[p.metric]}))
        curves[(arm, seed)] = curve.assign(proba=proba if proba is not None else [None] * len(curve))
        nexts[(arm, seed)] = p.budgets[len(curve)] if len(curve) < len(p.budgets) else None
    write_csv(hindsight(curves, [(name, dict(params)) for name, params in p.criteria], ceiling, p.metric, p.within, nexts),
              smk.output.table)
    columns = ["arm", "seed", "round", "n_labeled", p.metric, "kappa", "changed", "uncertainty"]
    write_csv(pd.concat(traces, ignore_index=True)[columns] if traces else pd.DataFrame(columns=columns),
              smk.output.trace)


run_step(main, snakemake)  # noqa: F821
