"""The seed's two readings as they were first written (before the strategy registry): the
reference the live strategies (bucket_al.strategies.bucketed) must reproduce exactly, row for row
(tests/test_rounds.py, tests/test_select.py)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from bucket_al.errors import check_choice
from bucket_al.rows import manifest
from bucket_al.select import take_per_bucket

log = logging.getLogger(__name__)


def by_entropy(scored: pd.DataFrame) -> pd.DataFrame:
    """Highest entropy first; ties broken by row id so the order is reproducible."""
    order = np.lexsort((scored["row_id"].to_numpy(), -scored["entropy"].to_numpy()))
    return scored.iloc[order]


def within_bucket(scored: pd.DataFrame, m: int, budget: int, **_) -> np.ndarray:
    """Reading (a) of "bucket again": within each original bucket, the ``m`` highest-entropy rows."""
    return take_per_bucket(by_entropy(scored), m, budget)


def recluster(scored: pd.DataFrame, m: int, budget: int, *, k: int, reduced: pd.DataFrame, seed: int,
              candidate_factor: int = 10, n_init: int = 3, **_) -> np.ndarray:
    """Reading (b): cluster the ``candidate_factor * budget`` most uncertain rows afresh into
    ``k`` buckets (k-means on the reduced vectors) and take the ``m`` highest-entropy rows of each."""
    from bucket_al.bucket import CLUSTER_THREADS, kmeans

    ranked = by_entropy(scored)
    candidates = ranked.iloc[: max(budget * candidate_factor, k)]
    X = reduced.loc[candidates["row_id"].to_numpy()].to_numpy()
    labels, _ = kmeans(X, min(k, len(candidates)), seed, n_init, CLUSTER_THREADS)
    candidates = candidates.assign(bucket=labels)
    return take_per_bucket(candidates, m, budget)


def reduced_frame(row_id: np.ndarray, X: np.ndarray) -> pd.DataFrame:
    """The reduced matrix indexed by row id, as :func:`recluster` looks rows up."""
    return pd.DataFrame(X, index=pd.Index(row_id, name="row_id"))


STRATEGIES = {"within_bucket": within_bucket, "recluster": recluster}


def select_round(strategy: str, previous: pd.DataFrame, scored: pd.DataFrame, m: int, k: int, round_: int,
                 **context) -> pd.DataFrame:
    """Round ``round_`` >= 1: add ``m*k`` rows chosen by ``strategy`` from the scored rest of the
    pool to the ``previous`` manifest; return the new cumulative manifest."""
    check_choice("strategy", "strategy", strategy, STRATEGIES)
    if scored["row_id"].isin(previous["row_id"]).any():
        raise ValueError("the entropy table holds rows that were already selected")
    new = STRATEGIES[strategy](scored, m, m * k, k=k, **context)
    chosen = scored.set_index("row_id").loc[new, "entropy"]
    log.info("round %d (%s): %d new rows, mean entropy %.4f (rest of the pool: %.4f); %d labelled in all",
             round_, strategy, len(new), chosen.mean(), scored["entropy"].mean(), len(previous) + len(new))
    return pd.concat([previous, manifest(new, round_)], ignore_index=True)
