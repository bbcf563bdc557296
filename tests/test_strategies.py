"""Query strategies and cold starts (bucket_al.strategies), each on a small case whose answer is
known by hand, plus the invariants every one of them keeps: exact budget, no repeats, candidates
only, the same picks for the same seed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bucket_al.plugins import COLD_STARTS, QUERIES
from bucket_al.strategies.badge import GradientGram, gradient_embedding, kmeans_pp, residual
from bucket_al.strategies.base import NEEDS, ColdStartContext, QueryContext


def query(name, ctx, budget):
    """A query strategy's picks, its params resolved against its declared defaults as a round job resolves them."""
    cls = QUERIES.get(name)
    return cls().query(dataclasses.replace(ctx, params={**ctx.params, **cls.resolve(
        {k: v for k, v in ctx.params.items() if k in cls.params}, name)}), budget)


def cold_start(name, ctx, budget):
    """A cold start's picks, its params resolved against its declared defaults as a round job resolves them."""
    cls = COLD_STARTS.get(name)
    return cls().query(dataclasses.replace(ctx, params=cls.resolve(ctx.params, name)), budget)


def coreset(ctx, budget):
    return query("coreset", ctx, budget)


def cal(ctx, budget):
    return query("cal", ctx, budget)


def topk(ctx, budget):
    return query("topk", ctx, budget)


def typiclust(ctx, budget):
    return cold_start("typiclust", ctx, budget)


def probcover(ctx, budget):
    return cold_start("probcover", ctx, budget)


def query_ctx(row_id, proba, X=None, labelled_X=None, labelled_proba=None, labelled_ids=None, seed=0, **params):
    row_id = np.asarray(row_id, dtype=np.int64)
    proba = np.asarray(proba, dtype=np.float64)
    n_lab = 0 if labelled_X is None else len(labelled_X)
    return QueryContext(
        row_id=row_id, proba=proba, uncertainty=1 - proba.max(axis=1),
        labelled_row_id=np.asarray(labelled_ids if labelled_ids is not None else np.arange(n_lab) + 10_000),
        labelled_proba=np.asarray(labelled_proba if labelled_proba is not None else np.full((n_lab, proba.shape[1]), 0.5)),
        seed=seed, m=1, k=1, params=params,
        embeddings=None if X is None else np.asarray(X, dtype=np.float64),
        labelled_embeddings=None if labelled_X is None else np.asarray(labelled_X, dtype=np.float64),
        last_layer=None if X is None else np.asarray(X, dtype=np.float64))


@pytest.mark.parametrize("registry, name", [(r, n) for r in (QUERIES, COLD_STARTS) for n in r.names])
def test_every_strategy_declares_known_needs_and_settings(registry, name):
    strategy = registry.get(name)
    assert strategy.needs <= NEEDS, name
    assert strategy.__abstractmethods__ == frozenset(), name
    assert all(key.count(".") == 1 for key in getattr(strategy, "settings", ())), "settings are config keys (a.b)"


def test_gradient_embedding_by_hand():
    # predicted class 0: residual (p - onehot) = [-0.3, 0.3]; times x = [1, 2]
    g = gradient_embedding(np.array([[0.7, 0.3]]), np.array([[1.0, 2.0]]))
    np.testing.assert_allclose(g, [[-0.3, -0.6, 0.3, 0.6]])
    # a certain prediction has no gradient at all
    assert not gradient_embedding(np.array([[1.0, 0.0]]), np.array([[5.0, 5.0]])).any()


def test_the_gram_of_gradient_embeddings_without_building_them():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=40)
    X = rng.normal(size=(40, 5))
    G, gram = gradient_embedding(proba, X), GradientGram(proba, X)
    np.testing.assert_allclose(gram.sq, (G * G).sum(axis=1), rtol=1e-12)
    for j in (0, 7, 39):
        np.testing.assert_allclose(gram.dot(j), G @ G[j], rtol=1e-12, atol=1e-15)


def test_the_gram_norms_in_blocks_are_the_whole_arrays_bit_for_bit():
    rng = np.random.default_rng(1)
    proba, X = rng.dirichlet(np.ones(2), size=1000), rng.normal(size=(1000, 50)).astype(np.float32)
    x = X.astype(np.float64)
    whole = (residual(proba) ** 2).sum(axis=1) * (x * x).sum(axis=1)
    for block in (1, 7, 999, 1000, 65536):
        assert GradientGram(proba, X, block=block).sq.tobytes() == whole.tobytes(), block


def test_kmeans_pp_starts_with_the_longest_gradient_and_never_repeats():
    # 2 classes, x in 1-d: |g|^2 = 2 r^2 x^2 with r = 1 - max p
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.8, 0.2], [0.7, 0.3], [0.95, 0.05]])
    X = np.array([[1.0], [3.0], [1.0], [2.0], [3.0]])  # squared norms 0.02, 2.88, 0.08, 0.72, 0.045
    picked = kmeans_pp(GradientGram(proba, X), 5, np.random.default_rng(0))
    assert picked[0] == 1 and sorted(picked) == [0, 1, 2, 3, 4]


def test_coreset_takes_the_farthest_points_by_hand():
    # labelled at 0; candidates at 1, 2, 10, 11: first 11 (distance 11), then 2 (distance 2 to {0, 11})
    ctx = query_ctx([101, 102, 110, 111], np.full((4, 2), 0.5), X=[[1.0], [2.0], [10.0], [11.0]], labelled_X=[[0.0]])
    assert sorted(coreset(ctx, 2)) == [102, 111]
    assert coreset(ctx, 1).tolist() == [111]


def test_cal_prefers_candidates_that_disagree_with_their_labelled_neighbours():
    # labelled rows at x=0 (predicted [0.9, 0.1]) and x=10 ([0.1, 0.9]); candidates at x=1 and x=9 both
    # predicted [0.9, 0.1]: the one at 9 disagrees with its nearest labelled neighbour
    ctx = query_ctx([1, 9], [[0.9, 0.1], [0.9, 0.1]], X=[[1.0], [9.0]], labelled_X=[[0.0], [10.0]],
                    labelled_proba=[[0.9, 0.1], [0.1, 0.9]], neighbours=1)
    assert cal(ctx, 1).tolist() == [9]
    kl = 0.1 * np.log(0.1 / 0.9) + 0.9 * np.log(0.9 / 0.1)  # KL([0.1, 0.9] || [0.9, 0.1]) by hand
    assert kl > 0  # ... and the one at 1 scores KL = 0
    # equal scores go by row id
    tie = query_ctx([7, 3], [[0.9, 0.1], [0.9, 0.1]], X=[[1.0], [1.0]], labelled_X=[[0.0]],
                    labelled_proba=[[0.9, 0.1]], neighbours=1)
    assert cal(tie, 1).tolist() == [3]


def test_topk_ties_by_row_id():
    ctx = query_ctx([30, 10, 20], [[0.5, 0.5], [0.5, 0.5], [0.9, 0.1]])
    assert topk(ctx, 2).tolist() == [10, 30]


def blobs(seed=0):
    """Two blobs, 2-d, row ids not 0..n-1: rows 0-19 a tight core at (0, 5) and rows 20-31 one at
    (5, 0) (spread 0.05), rows 32-37 scattered around the first blob and 38-41 around the second at
    distance 1.5: the least typical rows."""
    rng = np.random.default_rng(seed)
    ring = lambda c, n: np.asarray(c) + 1.5 * np.c_[np.cos(np.arange(n) * 2 * np.pi / n), np.sin(np.arange(n) * 2 * np.pi / n)]
    X = np.concatenate([rng.normal([0, 5], 0.05, size=(20, 2)), rng.normal([5, 0], 0.05, size=(12, 2)),
                        ring([0, 5], 6), ring([5, 0], 4)])
    return np.arange(len(X), dtype=np.int64) * 3 + 7, X


def test_typiclust_takes_typical_rows_of_dense_clusters():
    row_id, X = blobs()
    ctx = ColdStartContext(row_id=row_id, seed=0, n=1, pick="random", reduced=X, params={"neighbours": 5})
    picked = typiclust(ctx, 2)
    pos = np.searchsorted(row_id, picked)
    assert sorted(pos < 20) == [False, True] and (pos < 32).all()  # a core row of each blob, no scattered row


def test_probcover_covers_the_biggest_ball_first():
    row_id, X = blobs()
    ctx = ColdStartContext(row_id=row_id, seed=0, n=1, pick="random", reduced=X, params={"ball_size": 5})
    first = np.searchsorted(row_id, probcover(ctx, 1))
    assert first < 20  # a row of the larger blob
    two = np.searchsorted(row_id, probcover(ctx, 2))
    assert sorted(two < 20) == [False, True]  # then the other blob, whose rows are not covered yet


@pytest.mark.parametrize("name, params", [("probcover", {"ball_size": 8}), ("typiclust", {"neighbours": 5})])
def test_a_typicality_cold_start_works_on_a_seeded_sample_of_a_pool_above_max_rows(name, params):
    """max_rows bounds ProbCover's ball graph and TypiClust's clustering: a pool up to it gives the same
    picks as with no bound; a larger pool's picks are rows of a seeded sample of max_rows rows, the same
    for the same seed."""
    rng = np.random.default_rng(1)
    row_id = np.sort(rng.choice(10_000, 600, replace=False)).astype(np.int64)
    X = rng.normal(size=(600, 5))

    def picks(max_rows, seed=0):
        ctx = ColdStartContext(row_id=row_id, seed=seed, n=1, pick="random", reduced=X,
                               params={**params, "max_rows": max_rows})
        return cold_start(name, ctx, 12)

    whole = picks(10**9)
    np.testing.assert_array_equal(picks(600), whole)
    sampled = picks(200)
    np.testing.assert_array_equal(picks(200), sampled)
    assert not np.array_equal(np.sort(sampled), np.sort(whole)) and len(set(sampled)) == 12
    sample = row_id[np.sort(np.random.default_rng([0, 5]).choice(600, size=200, replace=False))]
    assert set(sampled) <= set(sample)


def pool_case(seed=0, n=400, classes=3):
    rng = np.random.default_rng(seed)
    row_id = np.sort(rng.choice(5000, n, replace=False)).astype(np.int64)
    X = rng.normal(size=(n, 6))
    proba = rng.dirichlet(np.ones(classes), size=n)
    return row_id, X, proba


def test_a_plug_in_without_its_method_cannot_be_made():
    """The bases declare their one method abstract (abc): a strategy that forgets it fails when it is made,
    naming the method, not in a round job."""
    from bucket_al.strategies.base import QueryStrategy

    class Forgetful(QueryStrategy):
        name = "forgetful"

    with pytest.raises(TypeError, match="query"):
        Forgetful()


@pytest.mark.parametrize("name", QUERIES.names)
def test_every_query_strategy_keeps_the_invariants(name):
    row_id, X, proba = pool_case()
    lab = slice(0, 40)
    cand = slice(40, None)
    strategy = QUERIES.get(name)

    # the context holds what the strategy declared it needs, and nothing else: as in a round job, whose
    # files come from the declaration (rules/common.smk), a need it forgets to declare fails here
    given = {"buckets": {"bucket": row_id[cand] % 5},
             "embeddings": {"embeddings": X[cand], "labelled_embeddings": X[lab]},
             "reduced": {"reduced": X[cand, :3], "labelled_reduced": X[lab, :3]},
             "grad_embedding": {"last_layer": X[cand]}}

    def ctx(seed):
        return QueryContext(
            row_id=row_id[cand], proba=proba[cand], uncertainty=1 - proba[cand].max(axis=1),
            labelled_row_id=row_id[lab], labelled_proba=proba[lab], seed=seed, m=3, k=5,
            params={"candidate_factor": 3, "n_init": 2, **strategy.defaults()},
            **{key: value for need in strategy.needs for key, value in given[need].items()})

    a = np.asarray(strategy().query(ctx(1), 15))
    assert len(a) == 15 and len(set(a)) == 15 and set(a) <= set(row_id[cand])
    np.testing.assert_array_equal(a, strategy().query(ctx(1), 15))  # same seed, same picks


@pytest.mark.parametrize("name", COLD_STARTS.names)
def test_every_cold_start_keeps_the_invariants(name):
    row_id, X, _ = pool_case()
    import pandas as pd

    from bucket_al.score import scores_table

    buckets = pd.DataFrame({"row_id": row_id, "bucket": row_id % 5, "distance": np.abs(X[:, 0])})
    zero_shot = scores_table(row_id, np.random.default_rng(1).dirichlet(np.ones(3), len(row_id)),
                             np.zeros(len(row_id), bool), list("abc"))

    given = {"buckets": buckets, "reduced": X[:, :3], "zero_shot": zero_shot}  # only what it declares it needs
    strategy = COLD_STARTS.get(name)

    def ctx(seed):
        return ColdStartContext(row_id=row_id, seed=seed, n=4, pick="random", params=strategy.defaults(),
                                **{need: given[need] for need in strategy.needs})

    a = np.asarray(cold_start(name, ctx(2), 20))
    assert len(a) == 20 and len(set(a)) == 20 and set(a) <= set(row_id)
    np.testing.assert_array_equal(a, cold_start(name, ctx(2), 20))


@pytest.mark.parametrize("pick", ["uncertain", "confident"])
def test_the_zero_shot_cold_start_by_hand(pick):
    import pandas as pd

    from bucket_al.score import scores_table

    row_id = np.array([10, 11, 12, 13, 14, 15])
    proba = np.array([[0.5, 0.5], [0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.45, 0.55], [0.05, 0.95]])
    buckets = pd.DataFrame({"row_id": row_id, "bucket": [0, 0, 0, 1, 1, 1], "distance": 0.0})
    ctx = ColdStartContext(row_id=row_id, seed=0, n=1, pick="random", buckets=buckets,
                           zero_shot=scores_table(row_id, proba, np.zeros(6, bool), ["a", "b"]), params={"pick": pick})
    got = sorted(cold_start("zero_shot", ctx, 2))
    # uncertain: each bucket's highest entropy (10, 14); confident: class a's surest first (11, in bucket 0),
    # then class b's surest (15, in bucket 1)
    assert got == ([10, 14] if pick == "uncertain" else [11, 15])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_coreset_picks_what_scikit_activemls_coreset_picks(seed):
    """Our greedy k-center (strategies/coreset.py) against the library's CoreSet it replaces, on
    vectors with duplicate rows (exact ties, broken at random by both with the same draws) and with no
    labelled row (every first distance 0)."""
    from skactiveml.pool import CoreSet as LibraryCoreSet

    from bucket_al.strategies.coreset import greedy_k_center

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 16)).astype(np.float32)
    X[150:200] = X[100:150]  # duplicates: exact ties
    for n_lab in (40, 0):
        lab, cand = X[:n_lab], X[n_lab:]
        Z = np.concatenate([lab, cand]).astype(np.float64)
        y = np.full(len(Z), np.nan)
        y[:n_lab] = 0
        want = np.asarray(LibraryCoreSet(random_state=seed).query(Z, y, batch_size=60)) - n_lab
        assert greedy_k_center(cand, lab, 60, seed).tolist() == want.tolist(), n_lab
