"""Steps 5, 8 and 9: choose which pool rows get labelled.

A *manifest* is a DataFrame with one row per selected pool row: ``row_id`` and ``round`` (the
round in which the row entered). Manifests are cumulative: round r's manifest holds every row
chosen in rounds 0..r. Every round adds exactly its planned budget (see :func:`budgets`).

- round 0, :func:`select_cold_start`: ``n`` rows from each bucket;
- round r >= 1, a strategy from :data:`STRATEGIES`: sort the rest of the pool by entropy, bucket
  again, take ``m`` from each bucket;
- the random twin, :func:`random_twin`: the same sizes, drawn uniformly, nested across rounds.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .errors import ConfigError, check_choice
from .rows import manifest
from .seeds import round_seed  # noqa: F401 (part of this module's interface)
from .twin import random_twin  # noqa: F401 (part of this module's interface)

log = logging.getLogger(__name__)

COLD_START_PICKS = ("random", "nearest")


def budgets(n: int, m: int, k: int, rounds: int) -> list[int]:
    """Cumulative labelled-set size after each round: ``n*k``, then ``m*k`` more per round."""
    for key, value in (("selection.n", n), ("selection.m", m), ("bucket.k", k), ("selection.rounds", rounds)):
        if int(value) < 1:
            raise ConfigError(f"{key}: must be a positive count, got {value}")
    return [n * k + r * m * k for r in range(rounds)]


def check_budget(pool_size: int, n: int, m: int, k: int, rounds: int, stop_set: int = 0) -> None:
    """Fail before any work if ``k`` exceeds the pool, or the last round's budget the pool less its
    ``stop_set`` rows (which no round may label)."""
    if k > pool_size:
        raise ConfigError(f"bucket.k: {k} buckets but the pool has only {pool_size} rows")
    last = budgets(n, m, k, rounds)[-1]
    if last > pool_size - stop_set:
        where = (f"the pool less its stop set (stopping.stop_set: {stop_set}) has only {pool_size - stop_set}"
                 if stop_set else f"the pool has only {pool_size}")
        raise ConfigError(
            f"selection: {rounds} rounds need {last} labelled rows (n*k + (rounds-1)*m*k) "
            f"but {where}; lower selection.n, selection.m, selection.rounds or bucket.k"
        )


def take_per_bucket(ranked: pd.DataFrame, per_bucket: int, budget: int) -> np.ndarray:
    """From rows already sorted best-first, take ``per_bucket`` rows of each ``bucket``.

    A bucket with fewer rows gives all it has; the shortfall is topped up from the other
    buckets' next-best rows, round-robin (every bucket's next row before anyone's row after
    that), so exactly ``budget`` row ids come back.
    """
    if budget > len(ranked):
        raise ConfigError(f"selection: budget of {budget} rows but only {len(ranked)} rows remain in the pool")
    rank = ranked.groupby("bucket", sort=False).cumcount().to_numpy()
    chosen = rank < per_bucket
    taken = ranked["row_id"].to_numpy()[chosen]
    if len(taken) > budget:
        raise ValueError(f"{per_bucket} per bucket gives {len(taken)} rows, over the budget of {budget}: more buckets than planned")
    rest = np.flatnonzero(~chosen)
    rest = rest[np.lexsort((rest, rank[rest]))]  # by rank, then by the incoming order
    top_up = ranked["row_id"].to_numpy()[rest[: budget - len(taken)]]
    return np.concatenate([taken, top_up])


def select_cold_start(buckets: pd.DataFrame, n: int, budget: int, seed: int, pick: str = "random") -> pd.DataFrame:
    """Round 0: ``n`` rows from each bucket (``buckets``: row_id, bucket, distance).

    ``pick='random'`` draws them uniformly (seeded); ``'nearest'`` takes those closest to the
    bucket's centroid, the most typical rows.
    """
    check_choice("selection.cold_start", "pick", pick, COLD_START_PICKS)
    if pick == "random":
        order = np.random.default_rng([seed, 0]).permutation(len(buckets))
    else:  # nearest
        order = np.lexsort((buckets["row_id"].to_numpy(), buckets["distance"].to_numpy()))
    return manifest(take_per_bucket(buckets.iloc[order], n, budget), 0)


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
    from .bucket import kmeans

    ranked = by_entropy(scored)
    candidates = ranked.iloc[: max(budget * candidate_factor, k)]
    X = reduced.loc[candidates["row_id"].to_numpy()].to_numpy()
    labels, _ = kmeans(X, min(k, len(candidates)), seed, n_init)
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
    check_choice("selection.strategies", "strategy", strategy, STRATEGIES)
    if scored["row_id"].isin(previous["row_id"]).any():
        raise ValueError("the entropy table holds rows that were already selected")
    new = STRATEGIES[strategy](scored, m, m * k, k=k, **context)
    chosen = scored.set_index("row_id").loc[new, "entropy"]
    log.info("round %d (%s): %d new rows, mean entropy %.4f (rest of the pool: %.4f); %d labelled in all",
             round_, strategy, len(new), chosen.mean(), scored["entropy"].mean(), len(previous) + len(new))
    return pd.concat([previous, manifest(new, round_)], ignore_index=True)
