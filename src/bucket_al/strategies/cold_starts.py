"""The seed's cold start (n rows from each bucket) and the random one (the twin's round 0)."""

from __future__ import annotations

import numpy as np

from ..select import select_cold_start
from .base import ColdStart, ColdStartContext


class Buckets(ColdStart):
    """The seed's round 0: ``n`` rows from each bucket, picked as ``bucket.pick`` says (random, or
    nearest the bucket's centroid); a bucket with fewer gives all it has, topped up from the others."""

    name = "buckets"
    needs = frozenset({"buckets"})

    def query(self, ctx: ColdStartContext, budget: int) -> np.ndarray:
        return select_cold_start(ctx.buckets, ctx.n, budget, ctx.seed, ctx.pick)["row_id"].to_numpy()


class Random(ColdStart):
    """Uniform rows: exactly the random twin's round 0, so the workflow shares that model."""

    name = "random"

    def query(self, ctx: ColdStartContext, budget: int) -> np.ndarray:
        from ..twin import random_twin

        return random_twin(ctx.row_id, [budget], ctx.seed)["row_id"].to_numpy()
