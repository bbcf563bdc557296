"""Contrastive active learning."""

from __future__ import annotations

import numpy as np

from .base import QueryContext, QueryStrategy


class Cal(QueryStrategy):
    """Contrastive active learning (Margatina et al., 2021): for each candidate, the mean KL divergence
    KL(p_neighbour || p_candidate) over its ``neighbours`` nearest labelled rows in embedding space;
    the highest first (ties by row id). Own code: scikit-activeml's ContrastiveAL fits and queries a
    classifier object, while the workflow has the round model's probabilities as a file."""

    name = "cal"
    needs = frozenset({"embeddings"})
    multilabel = False  # KL divergence between class distributions
    params = {"neighbours": {"type": "integer", "minimum": 1, "default": 10,
                             "description": "labelled neighbours each candidate is compared with"}}

    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        from sklearn.neighbors import NearestNeighbors

        k = min(int(ctx.params["neighbours"]), len(ctx.labelled_row_id))
        nn = NearestNeighbors(n_neighbors=k).fit(ctx.labelled_embeddings)
        _, idx = nn.kneighbors(ctx.embeddings)
        eps = 1e-12
        p = np.clip(ctx.proba, eps, 1.0)
        q = np.clip(ctx.labelled_proba, eps, 1.0)[idx]  # (candidates, k, classes)
        score = (q * (np.log(q) - np.log(p)[:, None, :])).sum(axis=2).mean(axis=1)
        return ctx.row_id[np.lexsort((ctx.row_id, -score))[:budget]]
