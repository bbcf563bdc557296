"""ProbCover, our own (scikit-activeml's builds an n x n distance matrix)."""

from __future__ import annotations

import numpy as np

from .base import ColdStart, ColdStartContext, bounded_rows


class ProbCover(ColdStart):
    """ProbCover (Yehuda et al., 2022): greedy maximum coverage of delta-balls on the L2-normalised
    reduced vectors: each pick is the row whose ball covers the most rows not yet covered (ties by
    row id). ``delta`` is chosen so that a ball holds ``ball_size`` rows on average, measured on a
    seeded sample of 2,000 rows (the paper's purity rule needs class-aligned clusters, which a cold
    start does not have). Own code: scikit-activeml's ProbCover builds the full pairwise distance
    matrix, 36 GB for a 67,349-row pool; a sparse radius graph here holds only the balls."""

    name = "probcover"
    needs = frozenset({"reduced"})
    params = {"ball_size": {"type": "integer", "minimum": 1, "default": 20,
                            "description": "rows a delta-ball holds on average"},
              "max_rows": {"type": "integer", "minimum": 1, "default": 100000,
                           "description": "the most rows the ball graph is built on: a larger pool's balls are "
                                          "those of a seeded uniform sample of this many rows (the radius graph's "
                                          "cost grows faster than the pool); SST-2's 67,349 rows are all used"}}

    def query(self, ctx: ColdStartContext, budget: int) -> np.ndarray:
        from sklearn.neighbors import NearestNeighbors

        rows = bounded_rows(len(ctx.row_id), ctx.params["max_rows"], budget, ctx.seed)
        X = ctx.reduced[rows].astype(np.float64)
        X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
        rng = np.random.default_rng([ctx.seed, 4])
        ball = int(ctx.params["ball_size"])
        nn = NearestNeighbors().fit(X)
        sample = rng.choice(len(X), size=min(2000, len(X)), replace=False)
        dist, _ = nn.kneighbors(X[sample], n_neighbors=min(ball + 1, len(X)))
        delta = float(np.median(dist[:, -1]))
        graph = nn.radius_neighbors_graph(X, radius=delta, mode="connectivity").tocsr()  # row i: i's ball
        covers = graph.T.tocsr()  # row j: the balls that cover j
        uncovered = np.ones(len(X))
        gain = np.asarray(graph.sum(axis=1)).ravel()
        row_id = ctx.row_id[rows]
        order = np.argsort(row_id, kind="stable")  # ties by row id: the first of the highest gain in this order
        chosen = []
        for _ in range(budget):
            pick = int(order[np.argmax(gain[order])])
            chosen.append(pick)
            newly = graph.indices[graph.indptr[pick]:graph.indptr[pick + 1]]
            newly = newly[uncovered[newly] > 0]
            uncovered[newly] = 0
            for j in newly:  # every ball holding a newly covered row gains one row less
                gain[covers.indices[covers.indptr[j]:covers.indptr[j + 1]]] -= 1
            gain[chosen] = -1  # never twice; once all is covered the rest go by row id
        return row_id[np.asarray(chosen)]
