"""Core-set through scikit-activeml."""

from __future__ import annotations

import numpy as np

from .base import QueryContext, QueryStrategy


class CoreSet(QueryStrategy):
    """Core-set (Sener and Savarese, 2018): greedy k-center on the embeddings, each pick the candidate
    farthest from every labelled and already picked row. scikit-activeml's CoreSet; it breaks an exact
    tie of distances with its random state, seeded here."""

    name = "coreset"
    needs = frozenset({"embeddings"})

    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        from skactiveml.pool import CoreSet as SkactivemlCoreSet

        order = np.argsort(ctx.row_id, kind="stable")  # candidates in row-id order: the library's indices
        X = np.concatenate([ctx.labelled_embeddings, ctx.embeddings[order]]).astype(np.float64)
        y = np.full(len(X), np.nan)
        y[: len(ctx.labelled_embeddings)] = 0  # any label: CoreSet reads only which rows are labelled
        picked = SkactivemlCoreSet(random_state=ctx.seed).query(X, y, batch_size=budget)
        return ctx.row_id[order][np.asarray(picked) - len(ctx.labelled_embeddings)]
