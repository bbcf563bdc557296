"""The seed's method, its two readings of "sort by highest entropy, bucket again, take m from each
bucket"."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..select import take_per_bucket
from .base import QueryContext, QueryStrategy, ranked_frame


class WithinBucket(QueryStrategy):
    """Reading (a): the ``m`` most uncertain rows of each original bucket (a bucket with fewer gives
    all it has; the shortfall is topped up from the other buckets' next rows)."""

    name = "within_bucket"
    needs = frozenset({"buckets"})

    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        return take_per_bucket(ranked_frame(ctx), ctx.m, budget)


class Recluster(QueryStrategy):
    """Reading (b): k-means afresh (on the reduced vectors) of the ``candidate_factor * m * k`` most
    uncertain rows into ``k`` buckets, then the ``m`` most uncertain rows of each new bucket."""

    name = "recluster"
    needs = frozenset({"reduced"})
    settings = ("selection.candidate_factor", "bucket.n_init")

    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        from ..bucket import CLUSTER_THREADS, kmeans

        ranked = ranked_frame(ctx)  # most uncertain first, ties by row id
        candidates = ranked.iloc[: max(budget * ctx.params["candidate_factor"], ctx.k)]
        reduced = pd.DataFrame(ctx.reduced, index=pd.Index(ctx.row_id, name="row_id"))
        X = reduced.loc[candidates["row_id"].to_numpy()].to_numpy()
        labels, _ = kmeans(X, min(ctx.k, len(candidates)), ctx.seed, ctx.params["n_init"], CLUSTER_THREADS)
        return take_per_bucket(candidates.assign(bucket=labels), ctx.m, budget)
