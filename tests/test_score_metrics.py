"""Step 7 (uncertainty, scoring the pool) and step 11 (metrics)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bucket_al.metrics import evaluate
from bucket_al.score import MEASURES, entropy, least_confidence, margin, score_pool


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


def test_margin_and_least_confidence_known_values():
    p = np.array([[0.5, 0.3, 0.2], [0.4, 0.4, 0.2], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(margin(p), [1 - 0.2, 1.0, 0.0], atol=1e-12)  # a tie between the top two: 1
    np.testing.assert_allclose(least_confidence(p), [0.5, 0.6, 0.0], atol=1e-12)
    assert set(MEASURES) == {"entropy", "margin", "least_confidence"}


class RowSumStub:
    """A learner whose probabilities are a known function of X: X[:, :2] normalised."""

    def predict_proba(self, X):
        p = np.asarray(X[:, :2], dtype=np.float64)
        return p / p.sum(axis=1, keepdims=True)

    def predict_proba_and_last_layer(self, X):
        return self.predict_proba(X), np.asarray(X, dtype=np.float32) * 2


def test_score_pool_scores_labelled_and_unlabelled_rows():
    row_id = np.array([10, 11, 14, 20, 21, 30], dtype=np.int64)
    X = np.array([[1, 1], [1, 3], [2, 2], [9, 1], [1, 0], [3, 1]], dtype=np.float32)
    manifest = pd.DataFrame({"row_id": [11, 30], "round": [0, 0]})
    table, hidden = score_pool(RowSumStub(), row_id, X, manifest, ["neg", "pos"])
    assert hidden is None
    assert list(table.columns) == ["row_id", "labelled", "p_neg", "p_pos", "entropy", "margin", "least_confidence"]
    assert table["row_id"].tolist() == [10, 11, 14, 20, 21, 30]
    assert table["labelled"].tolist() == [False, True, False, False, False, True]
    np.testing.assert_allclose(table["p_neg"], [0.5, 0.25, 0.5, 0.9, 1.0, 0.75], rtol=1e-6)
    np.testing.assert_allclose(table["entropy"][:4], [math.log(2), -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)),
                                                      math.log(2), -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))])
    np.testing.assert_allclose(table["margin"], [1.0, 0.5, 1.0, 0.2, 0.0, 0.5], atol=1e-6)
    np.testing.assert_allclose(table["least_confidence"], [0.5, 0.25, 0.5, 0.1, 0.0, 0.25], atol=1e-6)
    _, hidden = score_pool(RowSumStub(), row_id, X, manifest, ["neg", "pos"], last_layer=True)
    np.testing.assert_array_equal(hidden, X * 2)


def test_score_pool_sample_keeps_every_labelled_row():
    row_id = np.arange(100, dtype=np.int64)
    X = np.random.default_rng(0).uniform(0.1, 1, size=(100, 2))
    manifest = pd.DataFrame({"row_id": [3, 50, 97], "round": [0, 0, 0]})
    a, _ = score_pool(RowSumStub(), row_id, X, manifest, ["a", "b"], pool_sample=10, seed=4)
    b, _ = score_pool(RowSumStub(), row_id, X, manifest, ["a", "b"], pool_sample=10, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert a["labelled"].sum() == 3 and (~a["labelled"]).sum() == 10
    assert set(a.loc[a["labelled"], "row_id"]) == {3, 50, 97}
    c, _ = score_pool(RowSumStub(), row_id, X, manifest, ["a", "b"], pool_sample=10, seed=5)
    assert set(c["row_id"]) != set(a["row_id"])


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


def test_macro_f1_averages_the_classes_of_the_eval_split():
    """As for multi-label: a class the eval split never has is not averaged in (its F1 is 0 by
    construction); a wrong prediction of it still costs the classes it took rows from."""
    y_true = np.array([0, 1, 1, 0])
    proba = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.3, 0.7, 0.0], [0.6, 0.4, 0.0]])
    m = evaluate(y_true, proba, ["a", "b", "c"], n_labeled=4, pool_size=8)
    assert m["accuracy"] == 1.0
    assert m["per_class_f1"] == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert m["macro_f1"] == 1.0 and m["labels_in_eval"] == 2
    assert m["share_of_pool"] == 0.5
    wrong = np.array([[0.0, 0.0, 1.0], [0.2, 0.8, 0.0], [0.3, 0.7, 0.0], [0.6, 0.4, 0.0]])  # row 0 called 'c'
    assert evaluate(y_true, wrong, ["a", "b", "c"], 4, 8)["macro_f1"] == pytest.approx((2 / 3 + 1.0) / 2)
