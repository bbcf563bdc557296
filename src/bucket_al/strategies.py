"""Cold starts (round 0) and query strategies (rounds >= 1), one registry each.

A query strategy is ``fn(ctx, budget) -> row ids`` over the candidate rows of a
:class:`QueryContext`; it declares what it ``needs`` (the rules give it only those files) and its
own ``params`` with their defaults. The uncertainty measure (entropy, margin, least confidence:
:data:`bucket_al.score.MEASURES`) is a choice of the arm, kept apart from how rows are picked, as
in small-text's ConfidenceBasedQueryStrategy. Ties are broken by row id; randomness comes from
``ctx.seed`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .score import MEASURES  # noqa: F401 (the arms' measures)
from .select import recluster as _recluster
from .select import select_cold_start, take_per_bucket

NEEDS = {"buckets", "embeddings", "reduced", "grad_embedding"}  # beyond the scores table, always given


@dataclass
class QueryContext:
    row_id: np.ndarray  # candidates: the unlabelled rows the last model scored
    proba: np.ndarray  # their class probabilities
    uncertainty: np.ndarray  # the arm's measure, higher = more uncertain
    labelled_row_id: np.ndarray
    labelled_proba: np.ndarray
    seed: int
    m: int
    k: int
    params: dict = field(default_factory=dict)
    bucket: np.ndarray | None = None  # the candidates' original buckets        (needs "buckets")
    embeddings: np.ndarray | None = None  # their embeddings                    (needs "embeddings")
    labelled_embeddings: np.ndarray | None = None
    reduced: np.ndarray | None = None  # their reduced vectors                  (needs "reduced")
    labelled_reduced: np.ndarray | None = None
    last_layer: np.ndarray | None = None  # the learner's last layer             (needs "grad_embedding")


@dataclass
class ColdStartContext:
    row_id: np.ndarray  # the whole pool, sorted
    seed: int
    n: int
    pick: str
    params: dict = field(default_factory=dict)
    buckets: pd.DataFrame | None = None  # row_id, bucket, distance, aligned to row_id (needs "buckets")
    reduced: np.ndarray | None = None  # aligned to row_id                        (needs "reduced")


@dataclass(frozen=True)
class Strategy:
    fn: Callable
    needs: frozenset = frozenset()  # files beyond the scores table (NEEDS)
    params: dict = field(default_factory=dict)  # its own parameters (an arm's params), with defaults
    settings: tuple = ()  # workflow settings it reads from ctx.params (SETTINGS): only these reach its jobs


# Workflow settings a strategy may read (config keys): passed to a select job only when its strategy
# declares them, so changing one re-runs only the arms that use it.
SETTINGS = {"candidate_factor": "selection.candidate_factor", "n_init": "bucket.n_init"}


def by_uncertainty(ctx: QueryContext) -> np.ndarray:
    """Candidate positions, most uncertain first; ties by row id."""
    return np.lexsort((ctx.row_id, -ctx.uncertainty))


def ranked_frame(ctx: QueryContext) -> pd.DataFrame:
    order = by_uncertainty(ctx)
    frame = pd.DataFrame({"row_id": ctx.row_id[order], "entropy": ctx.uncertainty[order]})
    if ctx.bucket is not None:
        frame["bucket"] = ctx.bucket[order]
    return frame


# -- query strategies -------------------------------------------------------------------------

def within_bucket(ctx: QueryContext, budget: int) -> np.ndarray:
    """The seed's reading (a) of "bucket again": the ``m`` most uncertain rows of each original bucket."""
    return take_per_bucket(ranked_frame(ctx), ctx.m, budget)


def recluster(ctx: QueryContext, budget: int) -> np.ndarray:
    """The seed's reading (b): k-means afresh on the ``candidate_factor * budget`` most uncertain
    rows, then the ``m`` most uncertain of each new bucket."""
    frame = ranked_frame(ctx)
    reduced = pd.DataFrame(ctx.reduced, index=pd.Index(ctx.row_id, name="row_id"))
    return _recluster(frame, ctx.m, budget, k=ctx.k, reduced=reduced, seed=ctx.seed,
                      candidate_factor=ctx.params["candidate_factor"], n_init=ctx.params["n_init"])


def topk(ctx: QueryContext, budget: int) -> np.ndarray:
    """The ``budget`` most uncertain candidates (the ATIS notebook's rule, with a fixed budget)."""
    return ctx.row_id[by_uncertainty(ctx)[:budget]]


def uniform(ctx: QueryContext, budget: int) -> np.ndarray:
    """``budget`` candidates drawn uniformly (the ablation arm's rounds)."""
    order = np.argsort(ctx.row_id, kind="stable")
    return ctx.row_id[order][np.random.default_rng([ctx.seed, 2]).permutation(len(order))[:budget]]


STRATEGIES = {
    "within_bucket": Strategy(within_bucket, frozenset({"buckets"})),
    "recluster": Strategy(recluster, frozenset({"reduced"}), settings=("candidate_factor", "n_init")),
    "topk": Strategy(topk),
    "random": Strategy(uniform),
}


# -- cold starts ------------------------------------------------------------------------------

def buckets_cold_start(ctx: ColdStartContext, budget: int) -> np.ndarray:
    """The seed's round 0: ``n`` rows from each bucket (random or nearest its centroid)."""
    return select_cold_start(ctx.buckets, ctx.n, budget, ctx.seed, ctx.pick)["row_id"].to_numpy()


def random_cold_start(ctx: ColdStartContext, budget: int) -> np.ndarray:
    """Uniform rows: exactly the random twin's round 0, so the workflow shares that model."""
    from .twin import random_twin

    return random_twin(ctx.row_id, [budget], ctx.seed)["row_id"].to_numpy()


COLD_STARTS = {
    "buckets": Strategy(buckets_cold_start, frozenset({"buckets"})),
    "random": Strategy(random_cold_start),
}
