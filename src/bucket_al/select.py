"""The round plan and the seed's bucketed picks, shared by the cold starts and query strategies.

A *manifest* is a DataFrame with one row per selected pool row: ``row_id`` and ``round`` (the
round in which the row entered). Manifests are cumulative: round r's manifest holds every row
chosen in rounds 0..r. Every round adds exactly its planned budget (see :func:`budgets`).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .errors import ConfigError, check_choice
from .rows import manifest

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


def select_cold_start(buckets: pd.DataFrame, n: int, budget: int, seed: int, pick: str) -> pd.DataFrame:
    """Round 0: ``n`` rows from each bucket (``buckets``: row_id, bucket, distance).

    ``pick='random'`` draws them uniformly (seeded); ``'nearest'`` takes those closest to the
    bucket's centroid, the most typical rows.
    """
    check_choice("bucket.pick", "pick", pick, COLD_START_PICKS)
    if pick == "random":
        order = np.random.default_rng([seed, 0]).permutation(len(buckets))
    else:  # nearest
        order = np.lexsort((buckets["row_id"].to_numpy(), buckets["distance"].to_numpy()))
    return manifest(take_per_bucket(buckets.iloc[order], n, budget), 0)
