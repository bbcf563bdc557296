"""Several labels per row (dataset.task: multilabel) and none at all (the zero-shot model), on small
cases worked out by hand and on real GoEmotions rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bucket_al.data import prepare
from bucket_al.errors import ConfigError, DataError
from bucket_al.learners import load_learner, make_learner
from bucket_al.metrics import evaluate
from bucket_al.score import binary_entropy, label_confidence, scores_table, threshold_margin
from bucket_al.stopping import stop_round, trace
from bucket_al.zero_shot import label_texts, zero_shot_proba
from test_data import make_cfg, write

GOEMOTIONS = Path(__file__).resolve().parents[1].parent / "shared/data/goemotions"


def ml_cfg(folder, **kw):
    return make_cfg(folder, text_column="text", label_column="labels", task="multilabel", label_descriptions=None, **kw)


def lists(*rows):
    return pd.DataFrame({"text": [f"text {i}" for i in range(len(rows))], "labels": [list(r) for r in rows]})


def test_list_labels_become_sorted_label_ids_with_notes(tmp_path):
    write(lists(["b", "a"], ["a"], ["c"], ["a", "c"], ["b"]), tmp_path / "d/train.parquet")
    write(lists(["a"], ["b", "c"]), tmp_path / "d/validation.parquet")
    pool, eval_, labels = prepare(ml_cfg(tmp_path / "d"))
    assert labels["task"] == "multilabel" and labels["names"] == ["a", "b", "c"]
    assert [list(v) for v in pool["label"]] == [[0, 1], [0], [2], [0, 2], [1]]
    assert [list(v) for v in eval_["label"]] == [[0], [1, 2]]
    note = labels["notes"][0]
    assert note.startswith("multi-label: 3 labels, 1.400 labels per pool row (40.0% of rows have more than one, at most 2)")
    assert "rarest in the pool: b 2, c 2, a 3" in note


@pytest.mark.parametrize("rows, task, message", [
    ((["a"], [], ["b"]), "multilabel", r"1 of 3 rows of split 'train' have an empty label list"),
    ((["a"], "b", ["b"]), "multilabel", r"split 'train' mixes lists of labels \(2 rows\) and single labels \(1 rows\)"),
    ((["a"], ["b"]), "single", r"^dataset.task: single, but the label column of split 'train' holds lists of labels; "
                               r"set dataset.task: multilabel"),
])
def test_bad_multilabel_input_is_one_line(tmp_path, rows, task, message):
    df = pd.DataFrame({"text": [f"t{i}" for i in range(len(rows))], "labels": list(rows)})
    df.to_json(tmp_path / "train.jsonl", orient="records", lines=True)
    write(lists(["a"], ["b"]), tmp_path / "validation.parquet")
    with pytest.raises(DataError, match=message):
        prepare({**ml_cfg(tmp_path), "task": task})


def test_single_labels_with_task_multilabel_stop_naming_the_key(tmp_path):
    write(pd.DataFrame({"text": ["a", "b"], "labels": ["x", "y"]}), tmp_path / "train.csv")
    write(pd.DataFrame({"text": ["c"], "labels": ["x"]}), tmp_path / "validation.csv")
    with pytest.raises(DataError, match=r"^dataset.task: multilabel, but the label column of split 'train' holds one "
                                        r"label per row; set dataset.task: single"):
        prepare(ml_cfg(tmp_path))


def test_a_csv_with_separated_labels_reads_as_lists(tmp_path):
    write(pd.DataFrame({"text": ["a", "b", "c"], "labels": ["x|y", " y ", "x"]}), tmp_path / "train.csv")
    write(pd.DataFrame({"text": ["d"], "labels": ["y|x"]}), tmp_path / "validation.csv")
    with pytest.raises(DataError, match=r"set dataset.label_separator, e.g. '\|', to split it"):
        prepare(ml_cfg(tmp_path))
    pool, eval_, labels = prepare(ml_cfg(tmp_path, label_separator="|"))
    assert labels["names"] == ["x", "y"]
    assert [list(v) for v in pool["label"]] == [[0, 1], [1], [0]] and [list(v) for v in eval_["label"]] == [[0, 1]]


def test_cells_split_another_way_than_the_separator_are_warned(tmp_path):
    """'pos;short' with label_separator '|' is one label of its own: the data step says so."""
    write(pd.DataFrame({"text": ["a", "b", "c"], "labels": ["pos|short", "pos;short", "neg"]}), tmp_path / "train.csv")
    write(pd.DataFrame({"text": ["d"], "labels": ["pos"]}), tmp_path / "validation.csv")
    _, _, labels = prepare(ml_cfg(tmp_path, label_separator="|"))
    assert labels["names"] == ["neg", "pos", "pos;short", "short"]
    assert any("dataset.label_separator is '|', but 1 labels of the pool split contain ';' ('pos;short')" in w
               for w in labels["warnings"]), labels["warnings"]


def test_eval_labels_the_pool_never_shows_are_an_error_or_taken_off(tmp_path):
    write(lists(["a"], ["b"], ["a", "b"]), tmp_path / "train.parquet")
    write(lists(["a", "z"], ["z"], ["b"]), tmp_path / "validation.parquet")
    with pytest.raises(DataError, match=r"has 2 rows with labels the pool never shows: \['z'\]"):
        prepare(ml_cfg(tmp_path))
    _, eval_, labels = prepare(ml_cfg(tmp_path, unseen_eval_labels="drop"))
    assert [list(v) for v in eval_["label"]] == [[0], [1]]  # 'z' taken off; the row left with none dropped


def blobs_ml(n=300, seed=0):
    """Three labels on 6-d blobs: label j holds where coordinate j > 0 (rows may hold several)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    return X, (X[:, :3] > 0).astype(np.int64)


@pytest.mark.parametrize("name", ["linear", "knn"])
def test_embedding_learners_learn_each_label_and_reload(name, tmp_path):
    X, Y = blobs_ml()
    model = make_learner(name, list("abc"), {}, seed=0, multilabel=True, threshold=0.5).fit(X[:200], Y[:200])
    p = model.predict_proba(X[200:])
    assert p.shape == (100, 3) and ((p >= 0) & (p <= 1)).all()
    assert ((p >= 0.5) == Y[200:]).mean() > 0.85
    model.save(tmp_path / "m")
    again = load_learner(tmp_path / "m")
    assert again.is_multilabel and again.threshold == 0.5
    np.testing.assert_array_equal(again.predict_proba(X[200:]), p)


def test_a_label_constant_in_training_gets_its_constant():
    X, Y = blobs_ml()
    Y[:, 2] = 0
    p = make_learner("linear", list("abc"), {}, multilabel=True).fit(X, Y).predict_proba(X[:5])
    assert (p[:, 2] == 0).all()


def test_naive_bayes_learns_words_per_label():
    texts = np.array(["red apple", "green apple", "red car", "green car", "red", "apple"] * 20, dtype=object)
    Y = np.array([[1, 1], [0, 1], [1, 0], [0, 0], [1, 0], [0, 1]] * 20)
    p = make_learner("nb", ["red", "apple"], {}, multilabel=True).fit(texts, Y).predict_proba(np.array(["red apple", "green car"]))
    assert (p[0] > 0.5).all() and (p[1] < 0.5).all()


def test_a_single_label_learner_refuses_multilabel():
    with pytest.raises(ConfigError, match=r"^learner.name: learner 'selftrain' has no multi-label form"):
        make_learner("selftrain", ["a", "b"], {}, multilabel=True)


def test_multilabel_metrics_by_hand():
    y = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]])
    proba = np.array([[0.9, 0.1, 0.2], [0.8, 0.4, 0.7], [0.2, 0.6, 0.1], [0.1, 0.1, 0.1]])
    m = evaluate(y, proba, list("abc"), 10, 100, multilabel=True, threshold=0.5)
    # predictions [[1,0,0],[1,0,1],[0,1,0],[0,0,0]]: rows 0, 2, 3 exact; 2 wrong decisions of 12
    assert m["accuracy"] == pytest.approx(3 / 4) and m["hamming_loss"] == pytest.approx(2 / 12)
    # a: tp 2; b: tp 1, fn 1; c: fp 1 (absent from eval: out of macro-F1)
    assert m["per_class_f1"] == {"a": 1.0, "b": pytest.approx(2 / 3), "c": 0.0}
    assert m["macro_f1"] == pytest.approx((1 + 2 / 3) / 2) and m["labels_in_eval"] == 2
    assert m["micro_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    per_label = evaluate(y, proba, list("abc"), 10, 100, multilabel=True, threshold=[0.5, 0.35, 0.5])
    assert per_label["per_class_f1"]["b"] == 1.0  # 0.4 now counts


def test_multilabel_measures_by_hand():
    p = np.array([[0.5, 0.0], [1.0, 0.9], [0.2, 0.8]])
    np.testing.assert_allclose(binary_entropy(p), [np.log(2) / 2, -(0.9 * np.log(0.9) + 0.1 * np.log(0.1)) / 2,
                                                   -(0.2 * np.log(0.2) + 0.8 * np.log(0.8))])
    np.testing.assert_allclose(threshold_margin(p, 0.5), [1.0, 1 - 0.8, 1 - 0.6])
    np.testing.assert_allclose(label_confidence(p), [1 - 0.75, 1 - 0.95, 1 - 0.8])
    table = scores_table([7, 8, 9], p, [True, False, False], ["x", "y"], threshold=0.5)
    assert list(table.columns) == ["row_id", "labelled", "p_x", "p_y", "entropy", "margin", "least_confidence"]


def test_multilabel_stopping_by_hand():
    rounds = [np.array([[0.9, 0.2], [0.1, 0.8], [0.6, 0.6]]), np.array([[0.9, 0.2], [0.1, 0.8], [0.6, 0.4]]),
              np.array([[0.9, 0.2], [0.1, 0.8], [0.6, 0.4]])]
    t = [0.5, 0.5, 0.5]
    # round 1 flips one of the 3 rows' label sets; round 2 none
    tr = trace(rounds, t)
    assert tr["changed"].tolist()[1:] == [pytest.approx(1 / 3), 0.0]
    assert tr["kappa"].iloc[2] == 1.0 and tr["kappa"].iloc[1] < 1.0
    assert stop_round("classification_change", {"threshold": 0.0}, [10, 20, 30], rounds, thresholds=t) == 2
    assert stop_round("kappa", {"window": 1, "threshold": 0.99}, [10, 20, 30], rounds, thresholds=t) == 2
    assert stop_round("overall_uncertainty", {"threshold": 0.99}, [10, 20, 30], rounds, thresholds=t) == 0


def test_thresholds_tuned_on_the_training_rows_only():
    from bucket_al.model import tune_thresholds

    X, Y = blobs_ml(n=240, seed=2)
    Y[:, 1] = (X[:, 1] > 1.2).astype(int)  # rare: a lower threshold pays
    t = tune_thresholds(lambda: make_learner("linear", list("abc"), {}, multilabel=True), X, Y, seed=0)
    assert len(t) == 3 and all(0.05 <= v <= 0.95 for v in t)
    assert t == tune_thresholds(lambda: make_learner("linear", list("abc"), {}, multilabel=True), X, Y, seed=0)


def test_zero_shot_by_hand():
    labels = {"values": [0, 1], "names": ["0", "1"]}
    assert label_texts(labels, {0: "negative", 1: "positive"}) == ["negative", "positive"]
    assert label_texts({"values": ["ABBR"], "names": ["ABBR"]}, None) == ["ABBR"]
    from bucket_al.errors import ConfigError

    with pytest.raises(ConfigError, match="dataset.label_descriptions: '2' names no label"):
        label_texts(labels, {0: "negative", 2: "positive"})
    X = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, -1.0]])
    L = np.array([[2.0, 0.0], [0.0, 3.0]])  # unit vectors after normalising
    p = zero_shot_proba(X, L, multilabel=False, temperature=0.1, threshold=0.3)
    assert p.argmax(axis=1).tolist() == [0, 1, 0] and np.allclose(p.sum(axis=1), 1)
    q = zero_shot_proba(X, L, multilabel=True, temperature=0.1, threshold=0.7)
    assert ((q >= 0.5) == np.array([[1, 0], [0, 1], [0, 0]])).all()  # cos 1 / 0, 0.6 / 0.8, 0 / -1


@pytest.mark.skipif(not GOEMOTIONS.is_dir(), reason="no GoEmotions files")
def test_goemotions_reads_as_28_labels():
    cfg = ml_cfg(GOEMOTIONS, eval_split="test", limit={"pool": 3000, "eval": 500})
    pool, eval_, labels = prepare(cfg)
    assert labels["task"] == "multilabel" and len(labels["names"]) == 28 and "neutral" in labels["names"]
    assert len(pool) == 3000 and pool["label"].map(len).min() >= 1
