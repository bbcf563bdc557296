"""Checkpoint stop_check: does selection.stop's criterion fire for an arm at round r?"""
from bucket_al.io import read_json, write_json
from bucket_al.runtime import run_step
from bucket_al.stopping import read_stop_predictions, stop_round


def main(smk):
    name, params = smk.params.stop
    r, budgets = smk.params.round, list(smk.params.budgets)
    metrics = [read_json(p) for p in smk.input.metrics]
    n_labeled = [m["n_labeled"] for m in metrics]
    thresholds = [m["threshold"] for m in metrics] if "threshold" in metrics[0] else None  # multi-label
    proba = read_stop_predictions(smk.input.predictions) if "predictions" in smk.input.keys() else None
    fired = stop_round(name, dict(params), n_labeled, proba, budgets[r + 1] if r + 1 < len(budgets) else None,
                       thresholds)
    write_json({"criterion": name, "params": dict(params), "round": r, "n_labeled": n_labeled[-1],
                "stop": fired is not None, "fired_at": fired}, smk.output[0])


run_step(main, snakemake)  # noqa: F821
