"""Step 7 (entropy, scoring the rest of the pool) and step 11 (metrics)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bucket_al.metrics import evaluate
from bucket_al.score import entropy, entropy_table, score_rest


@pytest.mark.parametrize("C", [2, 3, 5, 10])
def test_entropy_uniform_is_log_c(C):
    p = np.full((4, C), 1.0 / C)
    np.testing.assert_allclose(entropy(p), math.log(C), rtol=1e-12)


def test_entropy_one_hot_is_zero():
    p = np.eye(5)[[0, 3, 4]]
    out = entropy(p)
    assert out.shape == (3,)
    assert np.all(out == 0.0)
    assert not np.isnan(out).any()


def test_entropy_known_values():
    p = np.array([[0.5, 0.25, 0.25], [0.5, 0.5, 0.0], [0.9, 0.1, 0.0]])
    expected = [1.5 * math.log(2), math.log(2), -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))]
    np.testing.assert_allclose(entropy(p), expected, rtol=1e-12)


class RowSumStub:
    """A learner whose probabilities are a known function of X: softmax-free, X[:, :2] normalised."""

    def predict_proba(self, X):
        p = np.asarray(X[:, :2], dtype=np.float64)
        return p / p.sum(axis=1, keepdims=True)


def test_score_rest_excludes_manifest_and_carries_buckets():
    row_id = np.array([10, 11, 14, 20, 21, 30], dtype=np.int64)
    X = np.array([[1, 1], [1, 3], [2, 2], [9, 1], [1, 0], [3, 1]], dtype=np.float32)
    manifest = pd.DataFrame({"row_id": [11, 30], "round": [0, 0]})
    # buckets in a different order from the pool
    buckets = pd.DataFrame({"row_id": [30, 21, 20, 14, 11, 10], "bucket": [2, 0, 1, 2, 0, 1],
                            "distance": np.zeros(6, dtype=np.float32)})
    table = score_rest(RowSumStub(), row_id, X, manifest, buckets, ["neg", "pos"])
    assert list(table.columns) == ["row_id", "p_neg", "p_pos", "entropy", "bucket"]
    assert table["row_id"].tolist() == [10, 14, 20, 21]
    assert table["bucket"].tolist() == [1, 2, 1, 0]
    np.testing.assert_allclose(table["p_neg"], [0.5, 0.5, 0.9, 1.0], rtol=1e-6)
    np.testing.assert_allclose(table["entropy"], [math.log(2), math.log(2),
                                                  -(0.9 * math.log(0.9) + 0.1 * math.log(0.1)), 0.0], atol=1e-12)


def test_entropy_table_multiclass():
    proba = np.array([[0.2, 0.2, 0.2, 0.2, 0.2], [1, 0, 0, 0, 0]], dtype=np.float64)
    t = entropy_table(np.array([5, 7]), proba, np.array([3, 1]), list("abcde"))
    assert list(t.columns) == ["row_id", "p_a", "p_b", "p_c", "p_d", "p_e", "entropy", "bucket"]
    np.testing.assert_allclose(t["entropy"], [math.log(5), 0.0], atol=1e-12)
    assert t["bucket"].tolist() == [3, 1]


def test_evaluate_hand_made_example():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0])
    proba = np.eye(3)[y_pred] * 0.6 + 0.4 / 3
    m = evaluate(y_true, proba, ["neg", "neu", "pos"], n_labeled=30, pool_size=120)
    assert m["accuracy"] == pytest.approx(4 / 6)
    # per class: neg P=1/2 R=1/2 F1=1/2; neu P=2/3 R=1 F1=0.8; pos P=1 R=1/2 F1=2/3
    assert m["per_class_f1"] == pytest.approx({"neg": 0.5, "neu": 0.8, "pos": 2 / 3})
    assert list(m["per_class_f1"]) == ["neg", "neu", "pos"]
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert m["n_labeled"] == 30
    assert m["share_of_pool"] == pytest.approx(0.25)
    assert m["n_eval"] == 6


def test_evaluate_class_never_seen_counts_as_zero():
    # a 3-class problem where the eval rows and predictions only use classes 0 and 1
    y_true = np.array([0, 1, 1, 0])
    proba = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.3, 0.7, 0.0], [0.6, 0.4, 0.0]])
    m = evaluate(y_true, proba, ["a", "b", "c"], n_labeled=4, pool_size=8)
    assert m["accuracy"] == 1.0
    assert m["per_class_f1"] == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert m["macro_f1"] == pytest.approx(2 / 3)
    assert m["share_of_pool"] == 0.5
