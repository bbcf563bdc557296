"""The selection half of a round's job (rules/rounds.smk), the glue: read what an arm's cold start or query strategy declared it needs, build
its context, call it, and return the new cumulative manifest.

Cold starts and query strategies themselves are plug-ins (:mod:`bucket_al.strategies`, registered
in :mod:`bucket_al.plugins`); this module only lines the files up with the candidate rows.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .plugins import COLD_STARTS, QUERIES
from .rows import aligned, manifest
from .strategies.base import ColdStartContext, QueryContext

log = logging.getLogger(__name__)


def _vectors(source, ids: np.ndarray, name: str) -> np.ndarray | None:
    """The rows ``ids`` of a ``(row_id, X)`` pair, or None when the strategy did not ask for it."""
    if source is None:
        return None
    row_id, X = source
    return X[aligned(row_id, ids, name)]


def cold_start_round(name: str, pool_ids: np.ndarray, budget: int, seed: int, *, n: int, pick: str,
                     buckets: pd.DataFrame | None = None, reduced=None, params: dict | None = None,
                     zero_shot: pd.DataFrame | None = None) -> pd.DataFrame:
    """Round 0's manifest by cold start ``name`` (``buckets``: row_id/bucket/distance of the seed's
    k-means; ``reduced``: ``(row_id, X)`` of the reduced pool; ``zero_shot``: the zero-shot model's
    scores of the pool)."""
    ids = np.sort(np.asarray(pool_ids, dtype=np.int64))
    cold_start = COLD_STARTS.get(name)
    ctx = ColdStartContext(row_id=ids, seed=seed, n=n, pick=pick,
                           buckets=None if buckets is None else buckets.set_index("row_id").loc[ids].reset_index(),
                           reduced=_vectors(reduced, ids, "reduced pool"),
                           zero_shot=None if zero_shot is None else zero_shot.set_index("row_id").loc[ids].reset_index(),
                           params=cold_start.resolve(params, f"cold start '{name}'"))  # declared defaults, then the arm's
    chosen = np.asarray(cold_start().query(ctx, budget), dtype=np.int64)
    check_picks(chosen, ids, budget, f"cold start '{name}'")
    log.info("round 0 (cold start %s): %d rows", name, len(chosen))
    return manifest(chosen, 0)


def query_round(spec: dict, previous: pd.DataFrame, scores: pd.DataFrame, *, m: int, k: int, round_: int, seed: int,
                settings: dict | None = None, buckets: pd.DataFrame | None = None,
                embeddings=None, reduced=None, last_layer=None) -> pd.DataFrame:
    """Round ``round_`` >= 1: the query strategy of ``spec`` (``{query, measure, params}``) adds
    ``m*k`` rows from the unlabelled rows of ``scores`` to the ``previous`` manifest. ``settings``:
    the workflow settings the strategy declared, by their last name; ``embeddings``, ``reduced``,
    ``last_layer``: ``(row_id, X)`` pairs, given when the strategy needs them."""
    strategy = QUERIES.get(spec["query"])
    labelled_mask = scores["labelled"].to_numpy()
    if set(scores.loc[labelled_mask, "row_id"]) != set(previous["row_id"]):
        raise ValueError("the scores table's labelled rows are not the previous manifest's rows (stale file? re-run)")
    cand, lab = scores[~labelled_mask], scores[labelled_mask]
    ids, lab_ids = cand["row_id"].to_numpy(), lab["row_id"].to_numpy()
    proba_cols = [c for c in scores.columns if c.startswith("p_")]
    ctx = QueryContext(
        row_id=ids, proba=cand[proba_cols].to_numpy(np.float64), uncertainty=cand[spec["measure"]].to_numpy(),
        labelled_row_id=lab_ids, labelled_proba=lab[proba_cols].to_numpy(np.float64),
        bucket=None if buckets is None else buckets.set_index("row_id").loc[ids, "bucket"].to_numpy(),
        embeddings=_vectors(embeddings, ids, "embeddings"), labelled_embeddings=_vectors(embeddings, lab_ids, "embeddings"),
        reduced=_vectors(reduced, ids, "reduced pool"), labelled_reduced=_vectors(reduced, lab_ids, "reduced pool"),
        last_layer=_vectors(last_layer, ids, "last layer"), seed=seed, m=m, k=k,
        params={**(settings or {}), **strategy.resolve(spec.get("params"), f"query '{spec['query']}'")},
    )
    budget = m * k
    chosen = np.asarray(strategy().query(ctx, budget), dtype=np.int64)
    check_picks(chosen, ids, budget, f"query '{spec['query']}'")
    picked = cand.set_index("row_id").loc[chosen, spec["measure"]]
    log.info("round %d (%s, %s): %d new rows, mean %s %.4f (candidates: %.4f); %d labelled in all", round_,
             spec["query"], spec["measure"], len(chosen), spec["measure"], picked.mean(), cand[spec["measure"]].mean(),
             len(previous) + len(chosen))
    return pd.concat([previous, manifest(chosen, round_)], ignore_index=True)


def check_picks(chosen: np.ndarray, candidates: np.ndarray, budget: int, what: str) -> None:
    """A strategy's picks: exactly ``budget`` distinct candidate rows (a bug otherwise, not bad input)."""
    if len(chosen) != budget or len(np.unique(chosen)) != budget or not np.isin(chosen, candidates).all():
        raise AssertionError(f"{what} returned {len(chosen)} rows ({len(np.unique(chosen))} distinct, "
                             f"{int((~np.isin(chosen, candidates)).sum())} not candidates) for a budget of {budget}")
