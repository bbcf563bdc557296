"""BADGE: uncertainty and diversity through gradient embeddings."""

from __future__ import annotations

import numpy as np

from .base import QueryContext, QueryStrategy


def gradient_embedding(proba: np.ndarray, X: np.ndarray) -> np.ndarray:
    """BADGE's gradient embedding of the cross-entropy loss with respect to the output layer's
    weights, taking the predicted class as the label: ``(p - onehot(argmax p)) ⊗ x``, one row per
    row, ``n_classes * dim`` wide."""
    proba = np.asarray(proba, dtype=np.float64)
    residual = proba.copy()
    residual[np.arange(len(proba)), proba.argmax(axis=1)] -= 1.0
    return (residual[:, :, None] * np.asarray(X, dtype=np.float64)[:, None, :]).reshape(len(proba), -1)


def kmeans_pp(G: np.ndarray, budget: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding: the row of largest norm first, then each next row drawn with probability
    proportional to its squared distance to the nearest row taken so far."""
    sq = (G * G).sum(axis=1)
    first = int(np.argmax(sq))
    chosen = [first]
    d2 = np.maximum(sq - 2 * G @ G[first] + sq[first], 0.0)
    for _ in range(budget - 1):
        d2[chosen] = 0.0
        total = d2.sum()
        nxt = int(rng.choice(len(G), p=d2 / total)) if total > 0 else int(np.flatnonzero(d2 == d2.max())[0])
        chosen.append(nxt)
        d2 = np.minimum(d2, np.maximum(sq - 2 * G @ G[nxt] + sq[nxt], 0.0))
    return np.asarray(chosen)


class Badge(QueryStrategy):
    """BADGE (Ash et al., 2020): k-means++ seeding on gradient embeddings, picking rows that are both
    uncertain (long gradients) and diverse. Own code: scikit-activeml's Badge refits and queries a
    classifier object, while the workflow has the round model's probabilities and last layer as files."""

    name = "badge"
    needs = frozenset({"grad_embedding"})
    multilabel = False  # the gradient embedding takes the argmax class as the label

    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        order = np.argsort(ctx.row_id, kind="stable")
        G = gradient_embedding(ctx.proba[order], ctx.last_layer[order])
        return ctx.row_id[order][kmeans_pp(G, budget, np.random.default_rng([ctx.seed, 3]))]
