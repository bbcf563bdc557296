"""Steps 6, 7 and 11 for one model, in one process: train it, evaluate it, score the pool with it.

:func:`run_model` is the model half of a round's job (rules/rounds.smk: after the round's selection)
and the whole job of the ceiling and the compared learners (rules/model.smk): fit the learner on a manifest's rows
(or the whole pool, for the ceiling), save it, write its metrics on the eval split, its class
probabilities on the seed's stop set (for the stopping criteria), and, when a later round selects
from them, its scores of the pool. The features are read once: an embeddings file is memory-mapped
(``.arrow``), so only the rows a step touches are read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .io import read_json, read_table, write_json, write_table, write_vectors
from .learners import make_learner
from .metrics import evaluate
from .rows import aligned, label_array, read_features, training_set, unlabelled_rows
from .score import score_pool
from .seeds import round_seed

log = logging.getLogger(__name__)


@dataclass
class ModelFiles:
    """What a model job reads and writes (paths; None where the job has none)."""

    learner: dict  # {"name": ..., "params": ...}: the learner and its resolved parameters
    seed: int
    unit: str  # where the model lives: an arm, random, cold_start/<name>, ceiling
    round: int | None  # None for a model of the whole pool
    pool: str  # the cleaned pool (row_id, text, label)
    features: str  # the pool's features: its embeddings (.arrow) or the cleaned pool itself (text)
    eval: str  # the cleaned eval split
    eval_features: str
    labels: str  # labels.json
    model: str  # output: the checkpoint directory
    metrics: str  # output: metrics.json
    manifest: str | None = None  # None: the whole pool
    stop_set: str | None = None  # the seed's stop set (row ids)
    stop_predictions: str | None = None  # output: the model's class probabilities on the stop set
    scores: str | None = None  # output: the pool's scores, for the next round's selection
    last_layer: str | None = None  # output: the learner's last layer of the scored rows (BADGE)
    scored: str | None = None  # the scores this round selected from (arms' rounds >= 1)
    pool_sample: int | None = None  # score.pool_sample: score a sample of the unlabelled rows
    score_pool_sample: int | None = None  # the pool_sample the arm's rounds selected from, for metrics.json
    multilabel: dict | None = None  # the config's multilabel block (threshold, tune_threshold) of a multi-label run


def job_files(smk) -> ModelFiles:
    """The :class:`ModelFiles` of a Snakemake job of the model rules (rules/rounds.smk, rules/model.smk)
    from its named inputs, outputs and params; a round's manifest is an output (the job selected it)
    or, for a compared learner, an input."""
    i, o, p = smk.input, smk.output, smk.params

    def get(io, name):
        return io[name] if name in io.keys() else None

    return ModelFiles(
        learner=p.learner, seed=int(smk.wildcards.seed), unit=p.unit, round=get(p, "round"),
        pool=i.pool, features=i.features, eval=i.eval, eval_features=i.eval_features, labels=i.labels,
        manifest=get(o, "manifest") or get(i, "manifest"), stop_set=get(i, "stop_set"), scored=get(i, "scores"),
        model=o.model, metrics=o.metrics, stop_predictions=get(o, "stop"), scores=get(o, "scores"),
        last_layer=get(o, "last_layer"), pool_sample=get(p, "pool_sample"),
        score_pool_sample=get(p, "score_pool_sample"), multilabel=dict(p.multilabel) or None)


def run_model(f: ModelFiles) -> None:
    meta = read_json(f.labels)
    names, multilabel = meta["names"], meta.get("task") == "multilabel"
    options = {"multilabel": True, "threshold": f.multilabel["threshold"]} if multilabel else {}
    learner = make_learner(f.learner["name"], names, f.learner["params"], seed=f.seed, **options)
    row_id, X = read_features(f.features, learner.features)
    labels = read_table(f.pool, columns=["row_id", "label"])
    label_ids, y_all = labels["row_id"].to_numpy(), label_array(labels["label"], len(names), multilabel)
    manifest = read_table(f.manifest) if f.manifest else None
    stop_ids = read_table(f.stop_set)["row_id"].to_numpy() if f.stop_set else None
    tune = (lambda: make_learner(f.learner["name"], names, f.learner["params"], seed=f.seed, **options)) \
        if multilabel and f.multilabel["tune_threshold"] else None
    fit(learner, row_id, X, label_ids, y_all, manifest, stop_ids, f.model, tune)

    eval_ids, eval_X = read_features(f.eval_features, learner.features)
    eval_ = read_table(f.eval, columns=["row_id", "label"])
    eval_X = eval_X[aligned(eval_ids, eval_["row_id"].to_numpy(), f.eval_features)]
    pool_size = len(labels)
    n_labeled = len(manifest) if manifest is not None else pool_size
    y_eval = label_array(eval_["label"], len(names), multilabel)
    metrics = evaluate(y_eval, learner.predict_proba(eval_X), names, n_labeled, pool_size, multilabel=multilabel,
                       threshold=learner.threshold if multilabel else None)
    selected_from = None
    if f.scored:  # the unlabelled rows the previous round's model scored: what this round chose from
        selected_from = int((~read_table(f.scored, columns=["labelled"])["labelled"]).sum())
    if f.stop_predictions:
        write_stop_predictions(learner, row_id, X, stop_ids, names, f.stop_predictions)
    if f.scores:
        write_scores(learner, row_id, X, manifest, names, f.scores, f.last_layer, pool_sample=f.pool_sample,
                     seed=round_seed(f.seed, f.round), exclude=stop_ids, multilabel=multilabel)
    # metrics.json last: a job killed before its end leaves no metrics.json, which every reader of a
    # model (stop_check, the aggregates) requests, so Snakemake re-runs the job as one with a missing
    # output. Its incomplete markers alone do not suffice: Snakemake 9.27 checks them (rerun-incomplete)
    # only for the jobs of the first DAG, not for those a finished checkpoint adds (rounds after a
    # stop_check), and would go on with a model whose scores are missing (tests/test_resume.py).
    extra = {"threshold": learner.threshold} if multilabel else {}
    write_json({"unit": f.unit, "seed": f.seed, "round": f.round, **metrics, "score_pool_sample": f.score_pool_sample,
                "selected_from_rows": selected_from, **extra}, f.metrics)


def write_stop_predictions(learner, row_id, X, stop_ids, names, path) -> None:
    """The model's class probabilities on the seed's stop set (for the stopping criteria)."""
    proba = learner.predict_proba(X[aligned(row_id, stop_ids, "stop set")])
    write_table(pd.DataFrame({"row_id": stop_ids, **{f"p_{n}": proba[:, j].astype(np.float32)
                                                       for j, n in enumerate(names)}}), path)


def write_scores(learner, row_id, X, manifest, names, path, last_layer=None, *, pool_sample, seed, exclude,
                 multilabel) -> None:
    """The scores table of the pool (bucket_al.score.score_pool) that the next round selects from, and,
    with ``last_layer``, the learner's last layer of the same rows (BADGE on a fine-tuned model)."""
    table, hidden = score_pool(learner, row_id, X, manifest, names, pool_sample=pool_sample, seed=seed,
                               last_layer=last_layer is not None, exclude=exclude,
                               threshold=learner.threshold if multilabel else None)
    write_table(table, path)
    if last_layer:
        write_vectors(table["row_id"].to_numpy(), hidden, last_layer)


def fit(learner, row_id, X, label_ids, y_all, manifest: pd.DataFrame | None, stop_ids, path, tune=None,
        unlabelled=None) -> None:
    """Fit ``learner`` on the manifest's rows (the whole pool when ``manifest`` is None) and save it
    to ``path``. A learner that reads the pool (``reads_pool``: self-training) also gets unlabelled rows:
    ``unlabelled`` (row ids; the labelling mode's rows nobody has labelled), by default the pool rows
    outside the manifest and the stop set; which rows got which pseudo-label goes beside the checkpoint.
    ``tune`` (a multi-label run with multilabel.tune_threshold): makes fresh learners for
    :func:`tune_thresholds`."""
    X_train, y_train = training_set(row_id, X, label_ids, y_all, manifest)
    if not learner.reads_pool:
        learner.fit(X_train, y_train)
        if tune is not None:
            learner.threshold = tune_thresholds(tune, X_train, y_train, learner.seed)
        learner.save(path)
        return
    known = unlabelled is None  # the experiment's pool rows all carry a label, hidden from the learner
    if known:
        unlabelled = unlabelled_rows(label_ids, None if manifest is None else manifest["row_id"], stop_ids)
    learner.fit(X_train, y_train, unlabelled=X[aligned(row_id, unlabelled)]).save(path)
    pseudo = pd.DataFrame({"row_id": unlabelled[learner.pseudo_index_], "label": learner.pseudo_label_,
                           "weight": learner.pseudo_weight_})
    write_table(pseudo, f"{path}/pseudo_labels.parquet")
    if known and len(pseudo):  # the true labels, read after training for the log only: a diagnostic of the teacher
        truth = y_all[aligned(label_ids, pseudo["row_id"].to_numpy(), "pool")]
        log.info("pseudo-labels: %d rows, %.4f of them correct (a diagnostic; the learner never sees these labels)",
                 len(pseudo), float((truth == pseudo["label"].to_numpy()).mean()))


THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


def tune_thresholds(make, X, Y, seed: int, folds: int = 3) -> list[float]:
    """One decision threshold per label, from the training rows alone: out-of-fold probabilities of
    ``folds`` seeded folds (a fresh learner from ``make()`` per fold), then per label the grid value
    (0.05 to 0.95) with the best F1 of that label (ties: the one nearest 0.5). A label without a
    positive training row keeps 0.5."""
    from sklearn.model_selection import KFold

    Y = np.asarray(Y)
    oof = np.zeros(Y.shape, dtype=np.float64)
    for train, test in KFold(n_splits=min(folds, len(Y)), shuffle=True, random_state=seed).split(Y):
        oof[test] = make().fit(X[train], Y[train]).predict_proba(X[test])
    thresholds = []
    for j in range(Y.shape[1]):
        y = Y[:, j].astype(bool)
        if not y.any():
            thresholds.append(0.5)
            continue
        pred = oof[:, j][None, :] >= THRESHOLD_GRID[:, None]
        tp, fp, fn = (pred & y).sum(1), (pred & ~y).sum(1), (~pred & y).sum(1)
        f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        best = np.flatnonzero(f1 == f1.max())
        thresholds.append(float(THRESHOLD_GRID[best[np.argmin(np.abs(THRESHOLD_GRID[best] - 0.5))]]))
    log.info("thresholds tuned on %d training rows (%d-fold): %s", len(Y), folds, thresholds)
    return thresholds
