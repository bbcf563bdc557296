"""Rules evaluate and evaluate_ceiling: metrics.json of one model on the eval split, and (evaluate)
its class probabilities on the seed's stop set."""
import numpy as np
import pandas as pd

from bucket_al.io import parquet_rows, read_json, read_table, write_json, write_table
from bucket_al.learners import load_learner
from bucket_al.metrics import evaluate
from bucket_al.rows import aligned, read_features
from bucket_al.runtime import run_step


def selected_from_rows(scores_path) -> int:
    """The unlabelled rows the previous round's model scored: what this round chose from."""
    return int((~read_table(scores_path, columns=["labelled"])["labelled"]).sum())


def main(smk):
    learner = load_learner(smk.input.model)
    row_id, X = read_features(smk.input.features, learner.features)
    eval_ = read_table(smk.input.eval, columns=["row_id", "label"])
    X = X[aligned(row_id, eval_["row_id"].to_numpy(), smk.input.features)]
    pool_size = parquet_rows(smk.input.pool)
    n_labeled = parquet_rows(smk.input.manifest) if "manifest" in smk.input.keys() else pool_size
    metrics = evaluate(eval_["label"].to_numpy(), learner.predict_proba(X), read_json(smk.input.labels)["names"],
                       n_labeled, pool_size)
    write_json({"unit": smk.params.unit, "seed": smk.params.seed, "round": smk.params.round, **metrics,
                "score_pool_sample": smk.params.pool_sample,
                # rows the previous round's model really scored, which this round selected from
                "selected_from_rows": selected_from_rows(smk.input.scored) if "scored" in smk.input.keys() else None},
               smk.output.metrics)
    if "stop" in smk.output.keys():
        write_table(stop_set_predictions(learner, smk.input.stop_features, read_json(smk.input.labels)["names"]),
                    smk.output.stop)


def stop_set_predictions(learner, features_path, names) -> pd.DataFrame:
    """The model's class probabilities on the stop set (the stop_set_features file): row_id and
    p_<label> per class."""
    ids, X = read_features(features_path, learner.features)
    proba = learner.predict_proba(X)
    return pd.DataFrame({"row_id": ids, **{f"p_{n}": proba[:, j].astype(np.float32) for j, n in enumerate(names)}})


run_step(main, snakemake)  # noqa: F821
