"""TypiClust through scikit-activeml."""

from __future__ import annotations

import numpy as np

from .base import ColdStart, ColdStartContext, bounded_rows


class TypiClust(ColdStart):
    """TypiClust (Hacohen et al., 2022): k-means of the reduced pool into ``budget`` clusters, from each
    the most typical row (smallest mean distance to its ``neighbours`` nearest rows). scikit-activeml's
    TypiClust, seeded; it breaks an exact tie with its random state."""

    name = "typiclust"
    needs = frozenset({"reduced"})
    params = {"neighbours": {"type": "integer", "minimum": 1, "default": 20,
                             "description": "neighbours of a row that measure its typicality"},
              "max_rows": {"type": "integer", "minimum": 1, "default": 100000,
                           "description": "the most rows it clusters: a larger pool's clusters are those of a "
                                          "seeded uniform sample of this many rows (k-means into budget clusters "
                                          "grows faster than the pool: 270 s at 10^6 rows); SST-2's 67,349 rows "
                                          "are all used"}}

    def query(self, ctx: ColdStartContext, budget: int) -> np.ndarray:
        from skactiveml.pool import TypiClust as SkactivemlTypiClust
        from threadpoolctl import threadpool_limits

        from ..bucket import CLUSTER_THREADS

        rows = bounded_rows(len(ctx.row_id), ctx.params["max_rows"], budget, ctx.seed)
        y = np.full(len(rows), np.nan)
        with threadpool_limits(limits=CLUSTER_THREADS, user_api="openmp"):  # its k-means: see bucket.kmeans
            picked = SkactivemlTypiClust(random_state=ctx.seed, k=int(ctx.params["neighbours"])).query(
                ctx.reduced[rows].astype(np.float64), y, batch_size=budget)
        return ctx.row_id[rows][np.asarray(picked)]
