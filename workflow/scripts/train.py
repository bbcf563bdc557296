"""Rules train, ceiling and their compare twins: fit a learner on a manifest's rows (or the whole
pool) and save it. A learner that reads the pool (``reads_pool``: self-training) also gets the pool
rows outside the manifest and the seed's stop set, unlabelled."""
import logging

import numpy as np
import pandas as pd

from bucket_al.io import read_json, read_table, write_table
from bucket_al.learners import make_learner
from bucket_al.rows import aligned, read_features, training_set
from bucket_al.runtime import run_step
from bucket_al.selftrain import unlabelled_rows


def main(smk):
    cfg = smk.params.learner
    names = read_json(smk.input.labels)["names"]
    learner = make_learner(cfg["name"], names, cfg["params"], seed=int(smk.wildcards.seed))
    row_id, X = read_features(smk.input.features, learner.features)
    labels = read_table(smk.input.pool, columns=["row_id", "label"])
    manifest = read_table(smk.input.manifest) if "manifest" in smk.input.keys() else None
    X_train, y_train = training_set(row_id, X, labels, manifest)
    if not getattr(learner, "reads_pool", False):
        learner.fit(X_train, y_train).save(smk.output[0])
        return
    stop_set = read_table(smk.input.stop_set, columns=["row_id"])["row_id"] if "stop_set" in smk.input.keys() else None
    unlabelled = unlabelled_rows(labels["row_id"], None if manifest is None else manifest["row_id"], stop_set)
    learner.fit(X_train, y_train, unlabelled=X[aligned(row_id, unlabelled)]).save(smk.output[0])
    # which rows got which pseudo-label, beside the checkpoint; their true labels are read here, after
    # training, for the log only (a diagnostic of the teacher: the learner never sees them)
    pseudo = pd.DataFrame({"row_id": unlabelled[learner.pseudo_index_], "label": learner.pseudo_label_,
                           "weight": learner.pseudo_weight_})
    write_table(pseudo, f"{smk.output[0]}/pseudo_labels.parquet")
    if len(pseudo):
        truth = labels["label"].to_numpy()[aligned(labels["row_id"].to_numpy(), pseudo["row_id"].to_numpy(), "pool")]
        logging.getLogger("bucket_al").info(
            "pseudo-labels: %d rows, %.4f of them correct (a diagnostic; the learner never sees these labels)",
            len(pseudo), float((truth == pseudo["label"].to_numpy()).mean()))


run_step(main, snakemake)  # noqa: F821
