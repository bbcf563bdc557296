"""Step 7: predict the pool with a round's model and turn the predictions into uncertainty.

The scores table has one row per scored pool row (never a stop-set row: bucket_al.stopping): ``row_id``, ``labelled`` (the row is in the
round's manifest), ``p_<label>`` per class, and one column per uncertainty measure of
:data:`MEASURES` (higher = more uncertain). Query strategies pick from the unlabelled rows; the
labelled rows' predictions are there for strategies that compare the two (CAL).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


def entropy(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy (nats) of each row of class probabilities; 0 log 0 counts as 0."""
    p = np.clip(proba, 1e-12, 1.0)
    return -(np.where(proba > 0, proba * np.log(p), 0.0)).sum(axis=1)


def margin(proba: np.ndarray) -> np.ndarray:
    """1 - (p_best - p_second): 1 where the two likeliest classes tie, 0 for a certain prediction."""
    top2 = -np.partition(-np.asarray(proba, dtype=np.float64), 1, axis=1)[:, :2]
    return 1.0 - (top2[:, 0] - top2[:, 1])


def least_confidence(proba: np.ndarray) -> np.ndarray:
    """1 - p_best."""
    return 1.0 - np.asarray(proba, dtype=np.float64).max(axis=1)


MEASURES = {"entropy": entropy, "margin": margin, "least_confidence": least_confidence}


# Multi-label (proba: each label's own probability; threshold: where a label is predicted): the same
# three measures, row by row over the labels, so that every strategy ranking by uncertainty works as is.
def binary_entropy(proba: np.ndarray) -> np.ndarray:
    """Mean over labels of each label's binary entropy (nats): 0 when every label is certain."""
    p = np.asarray(proba, dtype=np.float64)
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return (-(np.where(p > 0, p * np.log(q), 0.0) + np.where(p < 1, (1 - p) * np.log(1 - q), 0.0))).mean(axis=1)


def threshold_margin(proba: np.ndarray, threshold) -> np.ndarray:
    """1 - the distance of the label nearest its threshold, scaled to [0, 1]: 1 where a label sits
    exactly at its threshold (the decision that would flip first)."""
    t = np.broadcast_to(np.asarray(threshold, dtype=np.float64), np.shape(proba)[1:])
    return 1.0 - (np.abs(np.asarray(proba, dtype=np.float64) - t) / np.maximum(t, 1 - t)).min(axis=1)


def label_confidence(proba: np.ndarray) -> np.ndarray:
    """1 - the mean over labels of the confidence in the label's decision (max(p, 1 - p))."""
    p = np.asarray(proba, dtype=np.float64)
    return 1.0 - np.maximum(p, 1 - p).mean(axis=1)


def multilabel_measures(threshold) -> dict:
    return {"entropy": binary_entropy, "margin": lambda p: threshold_margin(p, threshold),
            "least_confidence": label_confidence}


def scores_table(row_id: np.ndarray, proba: np.ndarray, labelled: np.ndarray, label_names: list[str],
                 threshold=None) -> pd.DataFrame:
    """``threshold`` (a number, or one per label): the probabilities are multi-label ones."""
    table = pd.DataFrame({"row_id": np.asarray(row_id, dtype=np.int64), "labelled": np.asarray(labelled, dtype=bool)})
    for j, name in enumerate(label_names):
        table[f"p_{name}"] = proba[:, j].astype(np.float32)
    for name, measure in (MEASURES if threshold is None else multilabel_measures(threshold)).items():
        table[name] = measure(proba)
    return table


def rows_to_score(row_id: np.ndarray, manifest: pd.DataFrame, pool_sample: int | None = None,
                  seed: int = 0, exclude: np.ndarray | None = None) -> np.ndarray:
    """Positions of the pool rows to score: every labelled row, and the unlabelled rest (or, with
    ``pool_sample``, a seeded uniform sample of that many of them; all when fewer remain), less the
    rows of ``exclude`` (the stop set, which no round may select)."""
    labelled = np.isin(row_id, manifest["row_id"].to_numpy())
    if exclude is not None and np.isin(row_id[labelled], exclude).any():
        raise ValueError("the manifest holds stop-set rows (stale file? re-run)")
    barred = np.isin(row_id, exclude) if exclude is not None else np.zeros(len(row_id), dtype=bool)
    unselected = np.flatnonzero(~labelled & ~barred)
    rest = unselected
    if pool_sample is not None and pool_sample < len(unselected):
        rest = np.sort(np.random.default_rng(seed).choice(unselected, size=pool_sample, replace=False))
    log.info("scoring %d labelled rows and %d of the %d pool rows not yet selected%s", int(labelled.sum()),
             len(rest), len(unselected), f" (score.pool_sample={pool_sample}, seed {seed})" if pool_sample else "")
    return np.sort(np.concatenate([np.flatnonzero(labelled), rest]))


def score_pool(learner, row_id: np.ndarray, X, manifest: pd.DataFrame, label_names: list[str],
               pool_sample: int | None = None, seed: int = 0, last_layer: bool = False,
               exclude: np.ndarray | None = None, threshold=None):
    """The scores table of the round's model (see the module's docstring) and, with
    ``last_layer``, the input of the learner's output layer for the same rows (else None).
    ``threshold``: a multi-label model's (its measures are the multi-label ones)."""
    pos = rows_to_score(row_id, manifest, pool_sample, seed, exclude)
    labelled = np.isin(row_id[pos], manifest["row_id"].to_numpy())
    # a block of rows at a time: a large pool's rows are never all copied (nor cast to float64) at once.
    # Blocks of equal size, at least SCORE_BLOCK / 2 rows: a row's probabilities are the same in any block
    # of that size as in one product of every row (a block of a few rows may take another BLAS kernel,
    # whose sums round differently); a pool of up to SCORE_BLOCK rows is one block.
    blocks = np.array_split(pos, max(1, -(-len(pos) // SCORE_BLOCK)))
    if last_layer:
        parts = [learner.predict_proba_and_last_layer(X[b]) for b in blocks]
        proba, hidden = np.concatenate([p for p, _ in parts]), np.concatenate([h for _, h in parts])
    else:
        proba, hidden = np.concatenate([learner.predict_proba(X[b]) for b in blocks]), None
    return scores_table(row_id[pos], proba, labelled, label_names, threshold), hidden


SCORE_BLOCK = 65_536  # pool rows a model scores at a time
