"""Step 6: the linear learner and the learner registry (numbers written as strings included)."""

from __future__ import annotations

import numpy as np
import pytest

from bucket_al.errors import ConfigError
from bucket_al.learners import LEARNERS, LinearLearner, coerce_numbers, load_learner, make_learner


def blobs(n_classes=3, per_class=60, dim=10, seed=0, spread=1.0):
    """Gaussian blobs, one per class, with well-separated centres."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(n_classes, dim))
    X = np.concatenate([c + rng.normal(scale=spread, size=(per_class, dim)) for c in centres])
    y = np.repeat(np.arange(n_classes), per_class)
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order]


def test_fit_predict_proba_shape_and_sums():
    X, y = blobs(3)
    model = LinearLearner(n_classes=3).fit(X, y)
    p = model.predict_proba(X[:17])
    assert p.shape == (17, 3)
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)


def test_learns_separable_data():
    X, y = blobs(3, per_class=100, seed=1)
    Xtr, ytr, Xte, yte = X[:150], y[:150], X[150:], y[150:]
    model = LinearLearner(n_classes=3).fit(Xtr, ytr)
    acc = (model.predict_proba(Xte).argmax(axis=1) == yte).mean()
    assert acc >= 0.95  # chance is 1/3


def test_multiclass_five_classes():
    X, y = blobs(5, per_class=50, seed=2)
    model = LinearLearner(n_classes=5, seed=3).fit(X[:200], y[:200])
    p = model.predict_proba(X[200:])
    assert p.shape == (50, 5)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    assert (p.argmax(axis=1) == y[200:]).mean() >= 0.9


def test_missing_class_gets_zero_column_multiclass():
    X, y = blobs(4, seed=3)
    keep = y != 2
    model = LinearLearner(n_classes=4).fit(X[keep], y[keep])
    p = model.predict_proba(X)
    assert p.shape == (len(X), 4)
    assert (p[:, 2] == 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    assert (p.argmax(axis=1)[keep] == y[keep]).mean() >= 0.95


def test_missing_class_binary_training_set():
    # 3-class problem, training rows of classes 0 and 2 only: scikit-learn's binary model
    X, y = blobs(3, seed=4)
    keep = y != 1
    model = LinearLearner(n_classes=3).fit(X[keep], y[keep])
    p = model.predict_proba(X[keep])
    assert p.shape == (keep.sum(), 3)
    assert (p[:, 1] == 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    assert (p.argmax(axis=1) == y[keep]).mean() >= 0.95


def test_one_class_training_set_predicts_that_class():
    X, y = blobs(3, seed=5)
    model = LinearLearner(n_classes=3).fit(X[y == 1], y[y == 1])
    p = model.predict_proba(X[:9])
    np.testing.assert_array_equal(p, np.tile([0.0, 1.0, 0.0], (9, 1)))


def test_save_load_round_trip(tmp_path):
    X, y = blobs(3, seed=6)
    model = LinearLearner(n_classes=3, C=0.5, max_iter=500, seed=4).fit(X, y)
    path = tmp_path / "model"
    model.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temp directory left
    assert sorted(p.name for p in path.iterdir()) == ["learner.json", "weights.npz"]
    loaded = LinearLearner.load(path)
    assert (loaded.n_classes, loaded.C, loaded.max_iter, loaded.seed) == (3, 0.5, 500, 4)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    again = load_learner(path)
    assert isinstance(again, LinearLearner)
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def test_save_load_missing_class(tmp_path):
    X, y = blobs(4, seed=7)
    keep = y != 0
    model = LinearLearner(n_classes=4).fit(X[keep], y[keep])
    model.save(tmp_path / "model")
    loaded = load_learner(tmp_path / "model")
    p = loaded.predict_proba(X)
    assert p.shape == (len(X), 4) and (p[:, 0] == 0).all()
    np.testing.assert_array_equal(p, model.predict_proba(X))


def test_make_learner():
    model = make_learner("linear", list("abcd"), {"C": 2.0, "max_iter": 50}, seed=9)
    assert isinstance(model, LinearLearner)
    assert (model.n_classes, model.C, model.max_iter, model.seed) == (4, 2.0, 50, 9)
    assert model.label_names == list("abcd")
    assert set(LEARNERS) == {"linear", "finetune", "nb", "knn", "setfit", "selftrain"}
    assert {name: cls.features for name, cls in LEARNERS.items()} == {
        "linear": "embeddings", "finetune": "text", "nb": "text", "knn": "embeddings", "setfit": "text",
        "selftrain": "text"}
    assert all(cls.name == name for name, cls in LEARNERS.items())


def test_save_overwrites_an_older_checkpoint(tmp_path):
    X, y = blobs(2, seed=3)
    LinearLearner(n_classes=2, C=0.1).fit(X, y).save(tmp_path / "model")
    newer = LinearLearner(n_classes=2, C=1.0).fit(X, y)
    newer.save(tmp_path / "model")
    assert load_learner(tmp_path / "model").C == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_load_learner_needs_a_checkpoint_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no learner.json"):
        load_learner(tmp_path)


def test_make_learner_unknown_name():
    choices = r"\(choose from linear, finetune, nb, knn, setfit, selftrain\)"
    with pytest.raises(ConfigError, match=rf"^learner\.name: unknown learner 'svm' {choices}$"):
        make_learner("svm", ["a", "b"])


def test_non_positive_c():
    with pytest.raises(ConfigError, match=r"learner\.linear\.C"):
        make_learner("linear", ["a", "b"], {"C": 0})


# ---------------------------------------------------------------- numbers written as strings

# One float and one int parameter of every learner, written as YAML 1.1 leaves them: strings.
AS_STRINGS = {
    "linear": ({"C": "5e-2", "max_iter": "1e3"}, lambda m: (m.C, m.max_iter)),
    "finetune": ({"lr": "1e-4", "min_steps": "20"}, lambda m: (m.params["lr"], m.params["min_steps"])),
    "nb": ({"alpha": "1e-1", "min_df": "2"}, lambda m: (m.alpha, m.min_df)),
    "knn": ({"k": "5"}, lambda m: (m.k,)),
    "setfit": ({"lr": "3e-5", "num_iterations": "2.0"}, lambda m: (m.params["lr"], m.params["num_iterations"])),
    # lr is a finetune parameter that selftrain passes on to it; per_class is selftrain's own
    "selftrain": ({"lr": "1e-4", "per_class": "5e1"}, lambda m: (m.params["lr"], m.params["per_class"])),
}
EXPECTED = {"linear": (0.05, 1000), "finetune": (1e-4, 20), "nb": (0.1, 2), "knn": (5,), "setfit": (3e-5, 2),
            "selftrain": (1e-4, 50)}


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_numbers_written_as_strings_are_numbers(name):
    params, read = AS_STRINGS[name]
    model = make_learner(name, ["a", "b"], params)
    assert read(model) == EXPECTED[name]
    assert all(type(v) is type(e) for v, e in zip(read(model), EXPECTED[name]))


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_a_string_that_is_no_number_names_the_key(name):
    key = next(iter(AS_STRINGS[name][0]))
    with pytest.raises(ConfigError, match=rf"^learner\.{name}\.{key}: expected a number, got 'abc'$"):
        make_learner(name, ["a", "b"], {key: "abc"})


def test_coerce_numbers_leaves_other_values_alone():
    params = {"model": "package:x", "device": "cpu", "lr": 1e-4, "epochs": 2, "group_by_length": "yes",
              "min_steps": " 7 "}
    out = coerce_numbers("finetune", LEARNERS["finetune"], params)
    assert out == {**params, "min_steps": 7}
    assert coerce_numbers("setfit", LEARNERS["setfit"], {"num_iterations": None}) == {"num_iterations": None}
    with pytest.raises(ConfigError, match=r"^learner\.linear\.max_iter: expected a whole number, got '1e-3'$"):
        coerce_numbers("linear", LinearLearner, {"max_iter": "1e-3"})
    assert params["min_steps"] == " 7 "  # the config itself is not changed
