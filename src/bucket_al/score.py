"""Step 7: predict the rest of the pool and turn the predictions into entropy."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


def entropy(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy (nats) of each row of class probabilities; 0 log 0 counts as 0."""
    p = np.clip(proba, 1e-12, 1.0)
    return -(np.where(proba > 0, proba * np.log(p), 0.0)).sum(axis=1)


def entropy_table(row_id: np.ndarray, proba: np.ndarray, bucket: np.ndarray, label_names: list[str]) -> pd.DataFrame:
    """One row per unlabelled pool row: ``row_id``, ``p_<label>`` per class, ``entropy``, ``bucket``."""
    table = pd.DataFrame({"row_id": np.asarray(row_id, dtype=np.int64)})
    for j, name in enumerate(label_names):
        table[f"p_{name}"] = proba[:, j].astype(np.float32)
    table["entropy"] = entropy(proba)
    table["bucket"] = np.asarray(bucket, dtype=np.int64)
    return table


def score_rest(learner, row_id: np.ndarray, X, manifest: pd.DataFrame, buckets: pd.DataFrame,
               label_names: list[str], pool_sample: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Entropy table of the pool rows not in ``manifest`` (everything selected so far). With
    ``pool_sample``, only a seeded uniform sample of that many of those rows is scored (all of
    them when fewer remain); the next round then selects from the sample."""
    from .rows import aligned

    rest = unselected = np.flatnonzero(~np.isin(row_id, manifest["row_id"].to_numpy()))
    if pool_sample is not None and pool_sample < len(unselected):
        rest = np.sort(np.random.default_rng(seed).choice(unselected, size=pool_sample, replace=False))
    log.info("scoring %d of the %d pool rows not yet selected%s", len(rest), len(unselected),
             f" (score.pool_sample={pool_sample}, seed {seed})" if pool_sample is not None else "")
    rest_ids = row_id[rest]
    bucket = buckets["bucket"].to_numpy()[aligned(buckets["row_id"].to_numpy(), rest_ids, "buckets")]
    return entropy_table(rest_ids, learner.predict_proba(X[rest]), bucket, label_names)
