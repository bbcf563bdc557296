"""TypiClust through scikit-activeml."""

from __future__ import annotations

import numpy as np

from .base import ColdStart, ColdStartContext


class TypiClust(ColdStart):
    """TypiClust (Hacohen et al., 2022): k-means of the reduced pool into ``budget`` clusters, from each
    the most typical row (smallest mean distance to its ``neighbours`` nearest rows). scikit-activeml's
    TypiClust, seeded; it breaks an exact tie with its random state."""

    name = "typiclust"
    needs = frozenset({"reduced"})
    params = {"neighbours": {"type": "integer", "minimum": 1, "default": 20,
                             "description": "neighbours of a row that measure its typicality"}}

    def query(self, ctx: ColdStartContext, budget: int) -> np.ndarray:
        from skactiveml.pool import TypiClust as SkactivemlTypiClust

        y = np.full(len(ctx.row_id), np.nan)
        picked = SkactivemlTypiClust(random_state=ctx.seed, k=int(ctx.params["neighbours"])).query(
            ctx.reduced.astype(np.float64), y, batch_size=budget)
        return ctx.row_id[np.asarray(picked)]
