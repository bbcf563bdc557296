"""The select steps' glue (bucket_al.rounds): the seed's two readings give exactly what the
reference functions (tests/reference_select.py, the code as first written) give on the same inputs; the random cold start is the twin's round 0; the
arms registry and its errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bucket_al.arms import PRESETS, parse_arms, query_needs
from bucket_al.errors import ConfigError
from bucket_al.rounds import cold_start_round, query_round
from bucket_al.score import scores_table
from bucket_al.plugins import COLD_STARTS
from bucket_al.select import select_cold_start
from bucket_al.twin import random_twin
from reference_select import reduced_frame, select_round


@pytest.fixture
def pool():
    """300 rows in 6 buckets (shuffled, row ids not 0..n-1), 3-d blob features, 4-class probabilities."""
    rng = np.random.default_rng(3)
    row_id = np.sort(rng.choice(10_000, size=300, replace=False)).astype(np.int64)
    bucket = rng.integers(0, 6, size=300)
    buckets = pd.DataFrame({"row_id": row_id, "bucket": bucket, "distance": rng.random(300).astype(np.float32)})
    X = rng.normal(size=(300, 3)) + bucket[:, None] * 3.0
    proba = rng.dirichlet(np.full(4, 0.6), size=300)
    return buckets, X.astype(np.float32), proba


def scores_for(pool, manifest):
    buckets, _, proba = pool
    labelled = buckets["row_id"].isin(manifest["row_id"]).to_numpy()
    return scores_table(buckets["row_id"].to_numpy(), proba, labelled, list("abcd"))


def old_scored(scores, buckets):
    """What select.select_round read: the unlabelled rows with their entropy and original bucket."""
    rest = scores[~scores["labelled"]].drop(columns=["labelled", "margin", "least_confidence"])
    return rest.merge(buckets[["row_id", "bucket"]], on="row_id")


@pytest.mark.parametrize("arm", ["within_bucket", "recluster"])
def test_the_seeds_readings_are_unchanged(pool, arm):
    buckets, X, _ = pool
    m, k, seed = 3, 6, 1002
    prev = cold_start_round("buckets", buckets["row_id"].to_numpy(), 24, seed=1, n=4, pick="random", buckets=buckets)
    pd.testing.assert_frame_equal(prev, select_cold_start(buckets, 4, 24, 1, "random"))
    scores = scores_for(pool, prev)
    got = query_round(PRESETS[arm].spec(), prev, scores, m=m, k=k, round_=1, seed=seed,
                      settings={"candidate_factor": 4, "n_init": 2}, buckets=buckets,
                      reduced=(buckets["row_id"].to_numpy(), X))
    context = {"reduced": reduced_frame(buckets["row_id"].to_numpy(), X), "seed": seed, "candidate_factor": 4,
               "n_init": 2} if arm == "recluster" else {}
    want = select_round(arm, prev, old_scored(scores, buckets), m=m, k=k, round_=1, **context)
    pd.testing.assert_frame_equal(got, want)


def test_random_cold_start_is_the_twins_round_zero(pool):
    buckets, _, _ = pool
    ids = buckets["row_id"].to_numpy()
    got = cold_start_round("random", ids[::-1], 30, seed=4, n=5, pick="random")
    pd.testing.assert_frame_equal(got, random_twin(ids, [30], 4))


def test_topk_takes_the_most_uncertain_by_the_arms_measure(pool):
    buckets, _, proba = pool
    prev = cold_start_round("random", buckets["row_id"].to_numpy(), 20, seed=0, n=1, pick="random")
    scores = scores_for(pool, prev)
    for measure in ("entropy", "margin", "least_confidence"):
        got = query_round({"query": "topk", "measure": measure, "params": {}}, prev, scores, m=2, k=5, round_=1, seed=0)
        new = got.loc[got["round"] == 1, "row_id"]
        rest = scores[~scores["labelled"]].sort_values([measure, "row_id"], ascending=[False, True])
        assert sorted(new) == sorted(rest["row_id"].head(10))


def test_query_round_refuses_stale_scores(pool):
    buckets, _, _ = pool
    prev = cold_start_round("random", buckets["row_id"].to_numpy(), 20, seed=0, n=1, pick="random")
    other = cold_start_round("random", buckets["row_id"].to_numpy(), 20, seed=1, n=1, pick="random")
    with pytest.raises(ValueError, match="stale"):
        query_round(PRESETS["entropy"].spec(), prev, scores_for(pool, other), m=2, k=5, round_=1, seed=0)


def test_parse_arms_presets_custom_and_errors():
    arms = parse_arms(["within_bucket", {"name": "my_margin", "cold_start": "buckets", "query": "topk",
                                         "measure": "margin"}])
    assert [a.name for a in arms] == ["within_bucket", "my_margin"]
    assert arms[1].cold_start == "buckets" and arms[1].measure == "margin"
    assert query_needs(arms[0]) == {"buckets"}
    for entries, message in [
        (["nope"], r"selection.arms\[0\]: unknown arm 'nope'"),
        ([{"name": "x", "query": "nope"}], r"selection.arms\[0\].query: unknown query strategy 'nope'"),
        ([{"name": "x", "measure": "nope"}], r"selection.arms\[0\].measure: unknown uncertainty measure 'nope'"),
        ([{"name": "x", "cold_start": "nope"}], r"selection.arms\[0\].cold_start: unknown cold start 'nope'"),
        ([{"query": "topk"}], r"selection.arms\[0\]: a custom arm needs a name"),
        ([{"name": "random"}], r"selection.arms\[0\]: 'random' cannot name an arm"),
        ([{"name": "x", "params": {"zz": 1}}], r"selection.arms\[0\].params: unknown parameters \['zz'\]"),
        ([{"name": "x", "cold_start": "typiclust", "cold_start_params": {"neighbours": 0}}],
         r"selection.arms\[0\].cold_start_params.neighbours: 0 is less than the minimum of 1"),
        (["entropy", "entropy"], r"selection.arms: \['entropy'\] listed twice"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_arms(entries)


@pytest.mark.parametrize("name", COLD_STARTS.names)
def test_every_cold_start_runs_through_the_glue_with_its_declared_defaults(pool, name):
    """The select_cold_start step passes no params of its own: each cold start must get the defaults
    it declares (typiclust's neighbours, probcover's ball_size), as query strategies do.
    Calling the strategy functions directly (tests/test_strategies.py) never went through this path."""
    buckets, X, _ = pool
    ids = buckets["row_id"].to_numpy()
    zero_shot = scores_table(ids[::-1], pool[2][::-1], np.zeros(len(ids), bool), list("abcd"))  # any row order
    got = cold_start_round(name, ids, 24, seed=2, n=4, pick="random", buckets=buckets, reduced=(ids, X),
                           zero_shot=zero_shot)
    assert len(got) == 24 and got["row_id"].is_unique and set(got["row_id"]) <= set(ids)
    assert (got["round"] == 0).all()
    again = cold_start_round(name, ids, 24, seed=2, n=4, pick="random", buckets=buckets, reduced=(ids, X),
                             zero_shot=zero_shot)
    pd.testing.assert_frame_equal(got, again)


def test_an_arm_with_cold_start_params_gets_a_round_zero_of_its_own():
    default, same, other = parse_arms([
        {"name": "a", "cold_start": "typiclust"},
        {"name": "b", "cold_start": "typiclust", "cold_start_params": {"neighbours": 20}},  # the default, restated
        {"name": "c", "cold_start": "typiclust", "cold_start_params": {"neighbours": 5}}])
    assert default.cold_unit == same.cold_unit == "cold_start/typiclust"
    assert other.cold_unit.startswith("cold_start/typiclust-") and other.cold_unit != default.cold_unit
    assert parse_arms(["entropy"])[0].cold_unit == "random"
