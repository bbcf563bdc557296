"""Cold starts (round 0) and query strategies (rounds >= 1), one registry each.

A query strategy is ``fn(ctx, budget) -> row ids`` over the candidate rows of a
:class:`QueryContext`; it declares what it ``needs`` (the rules give it only those files) and its
own ``params`` with their defaults. The uncertainty measure (entropy, margin, least confidence:
:data:`bucket_al.score.MEASURES`) is a choice of the arm, kept apart from how rows are picked, as
in small-text's ConfidenceBasedQueryStrategy. Ties are broken by row id; randomness comes from
``ctx.seed`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .score import MEASURES  # noqa: F401 (the arms' measures)
from .select import recluster as _recluster
from .select import select_cold_start, take_per_bucket

NEEDS = {"buckets", "embeddings", "reduced", "grad_embedding"}  # beyond the scores table, always given


@dataclass
class QueryContext:
    row_id: np.ndarray  # candidates: the unlabelled rows the last model scored
    proba: np.ndarray  # their class probabilities
    uncertainty: np.ndarray  # the arm's measure, higher = more uncertain
    labelled_row_id: np.ndarray
    labelled_proba: np.ndarray
    seed: int
    m: int
    k: int
    params: dict = field(default_factory=dict)
    bucket: np.ndarray | None = None  # the candidates' original buckets        (needs "buckets")
    embeddings: np.ndarray | None = None  # their embeddings                    (needs "embeddings")
    labelled_embeddings: np.ndarray | None = None
    reduced: np.ndarray | None = None  # their reduced vectors                  (needs "reduced")
    labelled_reduced: np.ndarray | None = None
    last_layer: np.ndarray | None = None  # the learner's last layer             (needs "grad_embedding")


@dataclass
class ColdStartContext:
    row_id: np.ndarray  # the whole pool, sorted
    seed: int
    n: int
    pick: str
    params: dict = field(default_factory=dict)
    buckets: pd.DataFrame | None = None  # row_id, bucket, distance, aligned to row_id (needs "buckets")
    reduced: np.ndarray | None = None  # aligned to row_id                        (needs "reduced")


@dataclass(frozen=True)
class Strategy:
    fn: Callable
    needs: frozenset = frozenset()  # files beyond the scores table (NEEDS)
    params: dict = field(default_factory=dict)  # its own parameters (an arm's params), with defaults
    settings: tuple = ()  # workflow settings it reads from ctx.params (SETTINGS): only these reach its jobs


# Workflow settings a strategy may read (config keys): passed to a select job only when its strategy
# declares them, so changing one re-runs only the arms that use it.
SETTINGS = {"candidate_factor": "selection.candidate_factor", "n_init": "bucket.n_init"}


def by_uncertainty(ctx: QueryContext) -> np.ndarray:
    """Candidate positions, most uncertain first; ties by row id."""
    return np.lexsort((ctx.row_id, -ctx.uncertainty))


def ranked_frame(ctx: QueryContext) -> pd.DataFrame:
    order = by_uncertainty(ctx)
    frame = pd.DataFrame({"row_id": ctx.row_id[order], "entropy": ctx.uncertainty[order]})
    if ctx.bucket is not None:
        frame["bucket"] = ctx.bucket[order]
    return frame


# -- query strategies -------------------------------------------------------------------------

def within_bucket(ctx: QueryContext, budget: int) -> np.ndarray:
    """The seed's reading (a) of "bucket again": the ``m`` most uncertain rows of each original bucket."""
    return take_per_bucket(ranked_frame(ctx), ctx.m, budget)


def recluster(ctx: QueryContext, budget: int) -> np.ndarray:
    """The seed's reading (b): k-means afresh on the ``candidate_factor * budget`` most uncertain
    rows, then the ``m`` most uncertain of each new bucket."""
    frame = ranked_frame(ctx)
    reduced = pd.DataFrame(ctx.reduced, index=pd.Index(ctx.row_id, name="row_id"))
    return _recluster(frame, ctx.m, budget, k=ctx.k, reduced=reduced, seed=ctx.seed,
                      candidate_factor=ctx.params["candidate_factor"], n_init=ctx.params["n_init"])


def topk(ctx: QueryContext, budget: int) -> np.ndarray:
    """The ``budget`` most uncertain candidates (the ATIS notebook's rule, with a fixed budget)."""
    return ctx.row_id[by_uncertainty(ctx)[:budget]]


def uniform(ctx: QueryContext, budget: int) -> np.ndarray:
    """``budget`` candidates drawn uniformly (the ablation arm's rounds)."""
    order = np.argsort(ctx.row_id, kind="stable")
    return ctx.row_id[order][np.random.default_rng([ctx.seed, 2]).permutation(len(order))[:budget]]


def coreset(ctx: QueryContext, budget: int) -> np.ndarray:
    """Core-set (Sener and Savarese, 2018): greedy k-center on the embeddings, each pick the candidate
    farthest from every labelled and already picked row. scikit-activeml's CoreSet; it breaks an exact
    tie of distances with its random state, seeded here."""
    from skactiveml.pool import CoreSet

    order = np.argsort(ctx.row_id, kind="stable")  # candidates in row-id order: the library's indices
    X = np.concatenate([ctx.labelled_embeddings, ctx.embeddings[order]]).astype(np.float64)
    y = np.full(len(X), np.nan)
    y[: len(ctx.labelled_embeddings)] = 0  # any label: CoreSet reads only which rows are labelled
    picked = CoreSet(random_state=ctx.seed).query(X, y, batch_size=budget)
    return ctx.row_id[order][np.asarray(picked) - len(ctx.labelled_embeddings)]


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


def badge(ctx: QueryContext, budget: int) -> np.ndarray:
    """BADGE (Ash et al., 2020): k-means++ seeding on gradient embeddings, picking rows that are both
    uncertain (long gradients) and diverse. Own code: scikit-activeml's Badge refits and queries a
    classifier object, while the workflow has the round model's probabilities and last layer as files."""
    order = np.argsort(ctx.row_id, kind="stable")
    G = gradient_embedding(ctx.proba[order], ctx.last_layer[order])
    return ctx.row_id[order][kmeans_pp(G, budget, np.random.default_rng([ctx.seed, 3]))]


def cal(ctx: QueryContext, budget: int) -> np.ndarray:
    """Contrastive active learning (Margatina et al., 2021): for each candidate, the mean KL divergence
    KL(p_neighbour || p_candidate) over its ``neighbours`` nearest labelled rows in embedding space;
    the highest first (ties by row id). Own code: scikit-activeml's ContrastiveAL fits and queries a
    classifier object, while the workflow has the round model's probabilities as a file."""
    from sklearn.neighbors import NearestNeighbors

    k = min(int(ctx.params["neighbours"]), len(ctx.labelled_row_id))
    nn = NearestNeighbors(n_neighbors=k).fit(ctx.labelled_embeddings)
    _, idx = nn.kneighbors(ctx.embeddings)
    eps = 1e-12
    p = np.clip(ctx.proba, eps, 1.0)
    q = np.clip(ctx.labelled_proba, eps, 1.0)[idx]  # (candidates, k, classes)
    score = (q * (np.log(q) - np.log(p)[:, None, :])).sum(axis=2).mean(axis=1)
    return ctx.row_id[np.lexsort((ctx.row_id, -score))[:budget]]


STRATEGIES = {
    "within_bucket": Strategy(within_bucket, frozenset({"buckets"})),
    "recluster": Strategy(recluster, frozenset({"reduced"}), settings=("candidate_factor", "n_init")),
    "topk": Strategy(topk),
    "random": Strategy(uniform),
    "coreset": Strategy(coreset, frozenset({"embeddings"})),
    "badge": Strategy(badge, frozenset({"grad_embedding"})),
    "cal": Strategy(cal, frozenset({"embeddings"}), params={"neighbours": 10}),
}


# -- cold starts ------------------------------------------------------------------------------

def buckets_cold_start(ctx: ColdStartContext, budget: int) -> np.ndarray:
    """The seed's round 0: ``n`` rows from each bucket (random or nearest its centroid)."""
    return select_cold_start(ctx.buckets, ctx.n, budget, ctx.seed, ctx.pick)["row_id"].to_numpy()


def random_cold_start(ctx: ColdStartContext, budget: int) -> np.ndarray:
    """Uniform rows: exactly the random twin's round 0, so the workflow shares that model."""
    from .twin import random_twin

    return random_twin(ctx.row_id, [budget], ctx.seed)["row_id"].to_numpy()


def typiclust(ctx: ColdStartContext, budget: int) -> np.ndarray:
    """TypiClust (Hacohen et al., 2022): k-means of the reduced pool into ``budget`` clusters, from each
    the most typical row (smallest mean distance to its ``neighbours`` nearest rows). scikit-activeml's
    TypiClust, seeded; it breaks an exact tie with its random state."""
    from skactiveml.pool import TypiClust

    y = np.full(len(ctx.row_id), np.nan)
    picked = TypiClust(random_state=ctx.seed, k=int(ctx.params["neighbours"])).query(
        ctx.reduced.astype(np.float64), y, batch_size=budget)
    return ctx.row_id[np.asarray(picked)]


def probcover(ctx: ColdStartContext, budget: int) -> np.ndarray:
    """ProbCover (Yehuda et al., 2022): greedy maximum coverage of delta-balls on the L2-normalised
    reduced vectors: each pick is the row whose ball covers the most rows not yet covered (ties by
    row id). ``delta`` is chosen so that a ball holds ``ball_size`` rows on average, measured on a
    seeded sample of 2,000 rows (the paper's purity rule needs class-aligned clusters, which a cold
    start does not have). Own code: scikit-activeml's ProbCover builds the full pairwise distance
    matrix, 36 GB for a 67,349-row pool; a sparse radius graph here holds only the balls."""
    from sklearn.neighbors import NearestNeighbors

    X = ctx.reduced.astype(np.float64)
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
    order = np.argsort(ctx.row_id, kind="stable")  # ties by row id: the first of the highest gain in this order
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
    return ctx.row_id[np.asarray(chosen)]


COLD_STARTS = {
    "buckets": Strategy(buckets_cold_start, frozenset({"buckets"})),
    "random": Strategy(random_cold_start),
    "typiclust": Strategy(typiclust, frozenset({"reduced"}), params={"neighbours": 20}),
    "probcover": Strategy(probcover, frozenset({"reduced"}), params={"ball_size": 20}),
}
