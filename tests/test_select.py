"""Selection invariants: budgets, cold start, entropy rounds, random twin."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from bucket_al.errors import ConfigError
from bucket_al.score import entropy
from bucket_al.select import budgets, check_budget, select_cold_start
from bucket_al.twin import random_twin
from reference_select import reduced_frame, select_round


# ---------------------------------------------------------------- helpers

def bucket_table(sizes, seed=0, id_offset=1000, step=7):
    """A bucket table (row_id, bucket, distance) with ``sizes[b]`` rows in bucket b, in shuffled
    order. Row ids are deliberately not 0..n-1."""
    rng = np.random.default_rng(seed)
    bucket = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    total = int(np.sum(sizes))
    return pd.DataFrame({
        "row_id": (id_offset + step * np.arange(total)).astype(np.int64),
        "bucket": bucket.astype(np.int64),
        "distance": rng.random(total).astype(np.float32),
    })


def entropy_table(row_id, proba, bucket, names):
    """The candidates' table select.select_round reads: row_id, p_<label>..., entropy, bucket."""
    table = pd.DataFrame({"row_id": np.asarray(row_id, dtype=np.int64)})
    for j, name in enumerate(names):
        table[f"p_{name}"] = proba[:, j].astype(np.float32)
    table["entropy"] = entropy(proba)
    table["bucket"] = np.asarray(bucket, dtype=np.int64)
    return table


def scored_rest(buckets, manifest, seed=0, n_classes=5, label_names=None):
    """An entropy table (as score_rest makes it) of the pool rows not in ``manifest``, with
    random multi-class probabilities."""
    rng = np.random.default_rng([seed, 99])
    rest = buckets[~buckets["row_id"].isin(manifest["row_id"])]
    proba = rng.dirichlet(np.full(n_classes, 0.7), size=len(rest))
    names = label_names or [f"c{j}" for j in range(n_classes)]
    return entropy_table(rest["row_id"].to_numpy(), proba, rest["bucket"].to_numpy(), names)


def bucket_of(buckets):
    return dict(zip(buckets["row_id"], buckets["bucket"]))


# ---------------------------------------------------------------- budgets

def test_budgets_values():
    assert budgets(3, 2, 4, 3) == [12, 20, 28]
    assert budgets(1, 1, 1, 1) == [1]
    assert budgets(5, 10, 10, 4) == [50, 150, 250, 350]


@pytest.mark.parametrize("args, key", [
    ((0, 2, 4, 3), "selection.n"),
    ((-1, 2, 4, 3), "selection.n"),
    ((3, 0, 4, 3), "selection.m"),
    ((3, 2, 0, 3), "bucket.k"),
    ((3, 2, -5, 3), "bucket.k"),
    ((3, 2, 4, 0), "selection.rounds"),
])
def test_budgets_rejects_non_positive_counts(args, key):
    with pytest.raises(ConfigError, match=re.escape(key)) as err:
        budgets(*args)
    assert "\n" not in str(err.value)


def test_check_budget_k_larger_than_pool():
    with pytest.raises(ConfigError, match=r"bucket\.k: 11 buckets but the pool has only 10 rows"):
        check_budget(10, 1, 1, 11, 1)


def test_check_budget_last_round_larger_than_pool():
    # budgets(2, 2, 4, 3) == [8, 16, 24]
    with pytest.raises(ConfigError, match=r"^selection: 3 rounds need 24 labelled rows"):
        check_budget(23, 2, 2, 4, 3)
    check_budget(24, 2, 2, 4, 3)  # exactly the pool: allowed
    check_budget(4, 1, 1, 4, 1)   # k == pool: allowed


# ---------------------------------------------------------------- cold start

@pytest.mark.parametrize("pick", ["random", "nearest"])
def test_cold_start_n_per_bucket(pick):
    buckets = bucket_table([20, 25, 30, 15, 40])
    n, k = 4, 5
    got = select_cold_start(buckets, n=n, budget=n * k, seed=3, pick=pick)
    assert list(got.columns) == ["row_id", "round"]
    assert len(got) == n * k
    assert got["row_id"].is_unique
    assert set(got["row_id"]) <= set(buckets["row_id"])
    assert (got["round"] == 0).all()
    per_bucket = got["row_id"].map(bucket_of(buckets)).value_counts().sort_index()
    assert per_bucket.to_dict() == {b: n for b in range(k)}


@pytest.mark.parametrize("pick", ["random", "nearest"])
def test_cold_start_small_buckets_taken_whole_and_topped_up(pick):
    # buckets 0 and 1 have fewer than n rows: they give all they have, and the shortfall of
    # (4 - 1) + (4 - 2) = 5 rows comes from the other three, round-robin.
    sizes = [1, 2, 30, 30, 30]
    buckets = bucket_table(sizes, seed=1)
    n, k = 4, 5
    got = select_cold_start(buckets, n=n, budget=n * k, seed=0, pick=pick)
    assert len(got) == 20
    assert got["row_id"].is_unique
    counts = got["row_id"].map(bucket_of(buckets)).value_counts().to_dict()
    assert counts[0] == 1 and counts[1] == 2
    assert sum(counts.values()) == 20
    # round-robin top-up: every big bucket gives its 5th row before any gives a 6th (5 extra rows
    # over 3 buckets: 6, 6, 5 in some order)
    assert sorted(counts[b] for b in (2, 3, 4)) == [5, 6, 6]
    small_rows = set(buckets.loc[buckets["bucket"].isin([0, 1]), "row_id"])
    assert small_rows <= set(got["row_id"])


def test_cold_start_nearest_takes_smallest_distances():
    buckets = bucket_table([12, 9, 15, 20], seed=5)
    n = 3
    got = select_cold_start(buckets, n=n, budget=n * 4, seed=0, pick="nearest")
    expected = set(buckets.sort_values("distance").groupby("bucket").head(n)["row_id"])
    assert set(got["row_id"]) == expected


def test_cold_start_nearest_topped_up_with_next_nearest():
    buckets = bucket_table([2, 10, 10], seed=2)
    got = select_cold_start(buckets, n=4, budget=12, seed=0, pick="nearest")
    # bucket 0 gives 2, buckets 1 and 2 give their 5 nearest each
    expected = set(buckets[buckets["bucket"] == 0]["row_id"])
    for b in (1, 2):
        expected |= set(buckets[buckets["bucket"] == b].nsmallest(5, "distance")["row_id"])
    assert set(got["row_id"]) == expected


def test_cold_start_nearest_ties_broken_by_row_id():
    buckets = bucket_table([6, 6], seed=0)
    buckets["distance"] = np.float32(0.5)
    shuffled = buckets.sample(frac=1.0, random_state=4).reset_index(drop=True)
    for frame in (buckets, shuffled):
        got = select_cold_start(frame, n=2, budget=4, seed=0, pick="nearest")
        expected = set(buckets.sort_values("row_id").groupby("bucket").head(2)["row_id"])
        assert set(got["row_id"]) == expected


def test_cold_start_random_is_deterministic_and_seed_dependent():
    buckets = bucket_table([30, 30, 30, 30], seed=0)
    a = select_cold_start(buckets, n=5, budget=20, seed=7, pick="random")
    b = select_cold_start(buckets, n=5, budget=20, seed=7, pick="random")
    c = select_cold_start(buckets, n=5, budget=20, seed=8, pick="random")
    pd.testing.assert_frame_equal(a, b)
    assert set(a["row_id"]) != set(c["row_id"])
    # sorted manifest: by round then row id
    assert a["row_id"].is_monotonic_increasing


def test_cold_start_random_is_not_nearest():
    buckets = bucket_table([40, 40, 40], seed=0)
    nearest = set(select_cold_start(buckets, n=5, budget=15, seed=0, pick="nearest")["row_id"])
    random_sets = [set(select_cold_start(buckets, n=5, budget=15, seed=s, pick="random")["row_id"]) for s in range(3)]
    assert all(r != nearest for r in random_sets)


def test_cold_start_unknown_pick():
    buckets = bucket_table([5, 5])
    with pytest.raises(ConfigError, match=r"bucket\.pick: unknown pick 'farthest'"):
        select_cold_start(buckets, n=1, budget=2, seed=0, pick="farthest")


def test_cold_start_budget_larger_than_pool():
    buckets = bucket_table([3, 3])
    with pytest.raises(ConfigError, match="selection"):
        select_cold_start(buckets, n=4, budget=8, seed=0, pick="random")


# ---------------------------------------------------------------- entropy rounds

@pytest.fixture
def pool():
    """200 rows in 5 buckets with 2-d features that are blobs (for recluster)."""
    buckets = bucket_table([40, 40, 40, 40, 40], seed=11, id_offset=500, step=3)
    rng = np.random.default_rng(11)
    X = rng.normal(size=(len(buckets), 2)) + buckets["bucket"].to_numpy()[:, None] * 4.0
    return buckets, X


def test_within_bucket_takes_top_m_entropy_per_bucket(pool):
    buckets, _ = pool
    prev = select_cold_start(buckets, n=4, budget=20, seed=0, pick="random")
    scored = scored_rest(buckets, prev, seed=1, n_classes=5)
    m, k = 3, 5
    got = select_round("within_bucket", prev, scored, m=m, k=k, round_=1)
    assert len(got) == 20 + m * k
    assert got["row_id"].is_unique
    pd.testing.assert_frame_equal(got.iloc[:20].reset_index(drop=True), prev)
    new = got[got["round"] == 1]
    assert len(new) == m * k
    assert not new["row_id"].isin(prev["row_id"]).any()
    expected = set(scored.sort_values(["entropy", "row_id"], ascending=[False, True])
                   .groupby("bucket").head(m)["row_id"])
    assert set(new["row_id"]) == expected
    assert got["round"].value_counts().to_dict() == {0: 20, 1: m * k}


def test_within_bucket_ties_broken_by_row_id_independent_of_input_order(pool):
    buckets, _ = pool
    prev = select_cold_start(buckets, n=2, budget=10, seed=0, pick="random")
    scored = scored_rest(buckets, prev, seed=2)
    scored["entropy"] = 0.25  # all tied
    first = select_round("within_bucket", prev, scored, m=2, k=5, round_=1)
    again = select_round("within_bucket", prev, scored.sample(frac=1.0, random_state=3), m=2, k=5, round_=1)
    pd.testing.assert_frame_equal(first, again)
    expected = set(scored.sort_values("row_id").groupby("bucket").head(2)["row_id"])
    assert set(first[first["round"] == 1]["row_id"]) == expected


def test_within_bucket_small_bucket_topped_up(pool):
    buckets, _ = pool
    prev = select_cold_start(buckets, n=2, budget=10, seed=0, pick="random")
    scored = scored_rest(buckets, prev, seed=3)
    # leave bucket 0 with a single unlabelled row
    b0 = scored[scored["bucket"] == 0]
    scored = scored.drop(b0.index[1:])
    m, k = 3, 5
    got = select_round("within_bucket", prev, scored, m=m, k=k, round_=1)
    new = got[got["round"] == 1]
    assert len(new) == m * k
    assert new["row_id"].is_unique
    counts = new["row_id"].map(bucket_of(buckets)).value_counts().to_dict()
    assert counts[0] == 1
    # 2 missing rows come from the other buckets' 4th-best rows, highest entropy first
    fourth = (scored[scored["bucket"] != 0].sort_values(["entropy", "row_id"], ascending=[False, True])
              .groupby("bucket").nth(3))
    top_up = set(fourth.sort_values(["entropy", "row_id"], ascending=[False, True]).head(2)["row_id"])
    assert top_up <= set(new["row_id"])
    assert sorted(counts[b] for b in range(1, 5)) == [3, 3, 4, 4]


def test_select_round_unknown_strategy(pool):
    buckets, _ = pool
    prev = select_cold_start(buckets, n=2, budget=10, seed=0, pick="random")
    with pytest.raises(ConfigError, match=r"strategy: unknown strategy 'margin'"):
        select_round("margin", prev, scored_rest(buckets, prev), m=2, k=5, round_=1)


def test_select_round_rejects_already_selected_rows(pool):
    buckets, _ = pool
    prev = select_cold_start(buckets, n=2, budget=10, seed=0, pick="random")
    scored = scored_rest(buckets, prev.iloc[1:], seed=0)  # one selected row left in the table
    with pytest.raises(ValueError, match="already selected"):
        select_round("within_bucket", prev, scored, m=2, k=5, round_=1)


def test_recluster_exact_budget_from_top_candidates(pool):
    buckets, X = pool
    reduced = reduced_frame(buckets["row_id"].to_numpy(), X)
    prev = select_cold_start(buckets, n=4, budget=20, seed=0, pick="random")
    scored = scored_rest(buckets, prev, seed=4, n_classes=5)
    m, k, factor = 2, 5, 3
    got = select_round("recluster", prev, scored, m=m, k=k, round_=1, reduced=reduced, seed=0,
                       candidate_factor=factor)
    assert len(got) == 20 + m * k
    assert got["row_id"].is_unique
    new = got[got["round"] == 1]
    assert len(new) == m * k
    assert not new["row_id"].isin(prev["row_id"]).any()
    ranked = scored.sort_values(["entropy", "row_id"], ascending=[False, True])
    candidates = set(ranked.head(m * k * factor)["row_id"])
    assert set(new["row_id"]) <= candidates
    # the single most uncertain row is first in whichever new bucket it falls into
    assert ranked["row_id"].iloc[0] in set(new["row_id"])
    again = select_round("recluster", prev, scored, m=m, k=k, round_=1, reduced=reduced, seed=0,
                         candidate_factor=factor)
    pd.testing.assert_frame_equal(got, again)


def test_recluster_takes_m_from_each_fresh_cluster():
    # Candidates form k well-separated blobs in reduced space; the original buckets are all 0.
    # Recluster must find the blobs and take the m highest-entropy rows of each.
    k, m, per_blob = 3, 2, 10
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]])
    X = np.concatenate([c + rng.normal(scale=0.1, size=(per_blob, 2)) for c in centres])
    row_id = np.arange(len(X), dtype=np.int64) * 2 + 1
    scored = pd.DataFrame({"row_id": row_id, "entropy": rng.random(len(X)), "bucket": 0})
    prev = pd.DataFrame({"row_id": np.array([0, 2], dtype=np.int64), "round": np.array([0, 0], dtype=np.int64)})
    got = select_round("recluster", prev, scored, m=m, k=k, round_=1,
                       reduced=reduced_frame(row_id, X), seed=1, candidate_factor=10)
    new = got[got["round"] == 1]
    blob = dict(zip(row_id, np.repeat(np.arange(k), per_blob)))
    expected = set(scored.assign(blob=scored["row_id"].map(blob)).sort_values("entropy", ascending=False)
                   .groupby("blob").head(m)["row_id"])
    assert set(new["row_id"]) == expected


@pytest.mark.parametrize("strategy", ["within_bucket", "recluster"])
def test_multi_round_simulation_never_selects_twice(pool, strategy):
    buckets, X = pool
    n, m, k, rounds = 4, 3, 5, 4
    plan = budgets(n, m, k, rounds)
    check_budget(len(buckets), n, m, k, rounds)
    context = {"reduced": reduced_frame(buckets["row_id"].to_numpy(), X), "seed": 0, "candidate_factor": 4}
    man = select_cold_start(buckets, n=n, budget=plan[0], seed=0, pick="random")
    assert len(man) == plan[0]
    for r in range(1, rounds):
        scored = scored_rest(buckets, man, seed=r, n_classes=5)
        assert len(scored) == len(buckets) - len(man)
        man = select_round(strategy, man, scored, m=m, k=k, round_=r, **context)
        assert len(man) == plan[r]
        assert man["row_id"].is_unique
        assert set(man["row_id"]) <= set(buckets["row_id"])
    assert man["round"].value_counts().sort_index().to_dict() == {0: n * k, 1: m * k, 2: m * k, 3: m * k}


# ---------------------------------------------------------------- random twin

@pytest.fixture
def pool_ids():
    """Pool row ids that are a subsample (not 0..n-1), like after dataset.limit."""
    rng = np.random.default_rng(5)
    return np.sort(rng.choice(5000, size=300, replace=False)).astype(np.int64)


def test_random_twin_sizes_and_rounds(pool_ids):
    plan = budgets(4, 3, 5, 4)  # [20, 35, 50, 65]
    for r in range(len(plan)):
        twin = random_twin(pool_ids, plan[: r + 1], seed=0)
        assert len(twin) == plan[r]
        assert twin["row_id"].is_unique
        counts = twin["round"].value_counts().sort_index().to_dict()
        assert counts == {0: 20, **{i: 15 for i in range(1, r + 1)}}


def test_random_twin_nested(pool_ids):
    plan = budgets(4, 3, 5, 4)
    twins = [random_twin(pool_ids, plan[: r + 1], seed=2) for r in range(len(plan))]
    for r in range(len(plan) - 1):
        small, big = twins[r], twins[r + 1]
        assert set(small["row_id"]) < set(big["row_id"])
        pd.testing.assert_frame_equal(small, big[big["round"] <= r].reset_index(drop=True))


def test_random_twin_deterministic_and_seed_dependent(pool_ids):
    plan = budgets(4, 3, 5, 2)
    a = random_twin(pool_ids, plan, seed=1)
    pd.testing.assert_frame_equal(a, random_twin(pool_ids, plan, seed=1))
    assert set(a["row_id"]) != set(random_twin(pool_ids, plan, seed=2)["row_id"])
    # the order the pool ids come in does not matter
    shuffled = np.random.default_rng(0).permutation(pool_ids)
    pd.testing.assert_frame_equal(a, random_twin(shuffled, plan, seed=1))


def test_random_twin_only_pool_ids(pool_ids):
    plan = budgets(10, 10, 10, 3)  # up to 300 = the whole pool
    twin = random_twin(pool_ids, plan, seed=0)
    assert len(twin) == 300
    assert set(twin["row_id"]) == set(pool_ids)
    for seed in range(5):
        small = random_twin(pool_ids, [50], seed=seed)
        assert small["row_id"].isin(pool_ids).all()


def test_random_twin_budget_larger_than_pool(pool_ids):
    with pytest.raises(ConfigError, match="selection: budget of 301 rows but the pool has only 300"):
        random_twin(pool_ids, [100, 301], seed=0)


def test_multi_class_entropy_table_with_label_names(pool):
    buckets, _ = pool
    prev = select_cold_start(buckets, n=2, budget=10, seed=0, pick="nearest")
    names = ["anger", "joy", "fear", "sadness", "surprise"]
    scored = scored_rest(buckets, prev, seed=6, n_classes=5, label_names=names)
    assert [c for c in scored.columns if c.startswith("p_")] == [f"p_{n}" for n in names]
    proba = scored[[f"p_{n}" for n in names]].to_numpy(np.float64)
    np.testing.assert_allclose(scored["entropy"], entropy(proba), atol=1e-6)
    got = select_round("within_bucket", prev, scored, m=2, k=5, round_=1)
    assert len(got) == 20
    assert got["row_id"].is_unique
