"""Core-set: greedy k-center, our own, in float32 blocks.

scikit-activeml's ``CoreSet`` (the reference: Sener and Savarese, 2018) does not fit the pool's scale:
it copies the pool into one float64 matrix, keeps a ``budget x pool`` matrix of utilities, and calls
``pairwise_distances_argmin_min`` (input checks, chunking) once per pick: 11.9 CPU-s a select on the
SST-2 pool, +1 GB at 10^5 rows and +6.8 GB at 10^6. :func:`greedy_k_center` does the same greedy
steps with one distance vector: the candidates' squared norms once, their distance to the labelled rows
in blocks, then one matrix-vector product per pick. It follows the library step by step, random
tie-break included (the same ``RandomState`` and draws, so an exact tie, as between duplicate texts,
is broken the same way); its distances are float32 products where the library's are float64, so a
pick may differ where two candidates' distances are within float32 rounding
(tests/test_strategies.py compares both on real vectors).
"""

from __future__ import annotations

import numpy as np

from .base import QueryContext, QueryStrategy, in_order

BLOCK = 8192  # candidate rows per block of the distances to the labelled rows


class CoreSet(QueryStrategy):
    """Core-set (Sener and Savarese, 2018): greedy k-center on the embeddings, each pick the candidate
    farthest from every labelled and already picked row; an exact tie of distances is broken at random
    (seeded), as scikit-activeml's CoreSet breaks it."""

    name = "coreset"
    needs = frozenset({"embeddings"})

    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        order = np.argsort(ctx.row_id, kind="stable")  # candidates in row-id order
        picked = greedy_k_center(in_order(ctx.embeddings, order), ctx.labelled_embeddings, budget, ctx.seed)
        return ctx.row_id[order][picked]


def library_random_state(seed: int, n_candidates: int) -> np.random.RandomState:
    """The RandomState scikit-activeml's pool strategies draw from for ``random_state=seed``
    (skactiveml.utils.check_random_state with the seed multiplier of PoolQueryStrategy: the number of
    unlabelled rows + 1)."""
    first = int(np.random.RandomState(seed).randint(1, 2**31))
    return np.random.RandomState((first * (n_candidates + 1)) % 2**31)


def greedy_k_center(candidates: np.ndarray, labelled: np.ndarray, budget: int, seed: int) -> np.ndarray:
    """Positions of ``budget`` rows of ``candidates`` picked by greedy k-center: each the row whose
    euclidean distance to the nearest labelled or already picked row is largest. Memory beyond the
    inputs: a few vectors of the candidates' length and one block of distances."""
    X = np.ascontiguousarray(candidates, dtype=np.float32)
    L = np.ascontiguousarray(labelled, dtype=np.float32)
    n, n_lab = len(X), len(L)
    if budget > n:
        raise ValueError(f"core-set: a budget of {budget} rows from {n} candidates")
    sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
    dist = np.zeros(n)  # no labelled row: every distance 0, as in the library
    if n_lab:
        sq_lab = np.einsum("ij,ij->i", L, L, dtype=np.float64)
        for start in range(0, n, BLOCK):
            block = slice(start, start + BLOCK)
            d2 = sq[block, None] + sq_lab[None, :] - 2.0 * (X[block] @ L.T)
            dist[block] = np.sqrt(np.maximum(d2.min(axis=1), 0.0))
    rng = library_random_state(seed, n)
    picked = np.empty(budget, dtype=np.int64)
    for i in range(budget):
        # the library's draw: one random number per row of its matrix (labelled rows first); the
        # largest draw among the tied maxima wins
        draws = rng.random_sample(n_lab + n)[n_lab:]
        p = int(np.argmax(draws * (dist == np.nanmax(dist))))
        picked[i] = p
        if i + 1 < budget:  # the distance to the nearest center, the new one included
            if not np.nansum(dist):  # as the library: when every distance is 0, zeros count as infinitely far
                dist = np.where(dist == 0, np.inf, dist)
            d2 = sq + sq[p] - 2.0 * (X @ X[p]).astype(np.float64)
            dist = np.minimum(dist, np.sqrt(np.maximum(d2, 0.0)))  # a center's NaN stays NaN
        dist[p] = np.nan
    return picked
