"""The strategies a user picks first: the top-k by uncertainty, and uniform rounds (the ablation)."""

from __future__ import annotations

import numpy as np

from .base import QueryContext, QueryStrategy, by_uncertainty


class TopK(QueryStrategy):
    """The ``budget`` most uncertain candidates by the arm's measure (the ATIS notebook's rule, with
    a fixed budget)."""

    name = "topk"

    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        return ctx.row_id[by_uncertainty(ctx)[:budget]]


class Uniform(QueryStrategy):
    """``budget`` candidates drawn uniformly (the ablation arm's rounds)."""

    name = "random"

    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        order = np.argsort(ctx.row_id, kind="stable")
        return ctx.row_id[order][np.random.default_rng([ctx.seed, 2]).permutation(len(order))[:budget]]
