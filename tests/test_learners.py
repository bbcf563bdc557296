"""Step 6: the linear learner and the learner registry (numbers written as strings included)."""

from __future__ import annotations

import numpy as np
import pytest

from bucket_al.errors import ConfigError
from bucket_al.learners import learner_class, load_learner, make_learner
from bucket_al.learners.base import Learner
from bucket_al.learners.linear import LinearLearner
from bucket_al.plugins import LEARNERS


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
    assert (loaded.n_classes, loaded.params["C"], loaded.params["max_iter"], loaded.seed) == (3, 0.5, 500, 4)
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
    assert (model.n_classes, model.params["C"], model.params["max_iter"], model.seed) == (4, 2.0, 50, 9)
    assert model.label_names == list("abcd")


def test_save_overwrites_an_older_checkpoint(tmp_path):
    X, y = blobs(2, seed=3)
    LinearLearner(n_classes=2, C=0.1).fit(X, y).save(tmp_path / "model")
    newer = LinearLearner(n_classes=2, C=1.0).fit(X, y)
    newer.save(tmp_path / "model")
    assert load_learner(tmp_path / "model").params["C"] == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_load_learner_needs_a_checkpoint_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no learner.json"):
        load_learner(tmp_path)


def test_make_learner_unknown_name():
    choices = rf"\(choose from {', '.join(LEARNERS.names)}\)"
    with pytest.raises(ConfigError, match=rf"^learner\.name: unknown learner 'svm' {choices}$"):
        make_learner("svm", ["a", "b"])


def test_non_positive_c():
    with pytest.raises(ConfigError, match=r"^learner\.linear\.C: 0 is less than or equal to the minimum of 0$"):
        make_learner("linear", ["a", "b"], {"C": 0})


def test_booleans_and_fractions_are_not_counts():
    with pytest.raises(ConfigError, match=r"^learner\.linear\.C: True is not of type 'number'$"):
        make_learner("linear", ["a", "b"], {"C": True})
    with pytest.raises(ConfigError, match=r"^learner\.linear\.max_iter: 1.5 is not of type 'integer'$"):
        make_learner("linear", ["a", "b"], {"max_iter": 1.5})
    with pytest.raises(ConfigError, match=r"^learner\.linear\.max_iter: 0 is less than the minimum of 1$"):
        make_learner("linear", ["a", "b"], {"max_iter": 0})
    assert make_learner("linear", ["a", "b"], {"max_iter": 2.0}).params["max_iter"] == 2  # a whole number


# ---------------------------------------------------------------- every registered learner


@pytest.mark.parametrize("name", LEARNERS.names)
def test_every_learner_declares_what_the_rules_read(name):
    cls = learner_class(name)
    assert cls.name == name and issubclass(cls, Learner)
    assert cls.features in ("embeddings", "text")
    for step in ("model", "ceiling"):
        assert set(cls.resources[step]) >= {"mem_mb", "runtime"}, step
        assert all(isinstance(v, int) and v > 0 for v in cls.resources[step].values()), step
    for flag in ("seeded", "uses_gpu", "uses_encoder", "reads_pool"):
        assert isinstance(getattr(cls, flag), bool), flag
    for key, spec in cls.params.items():
        assert spec.get("description"), f"learner.{name}.{key} has no description"
    cls.resolve({}, f"learner.{name}")  # the defaults pass their own checks


def numeric_params(name):
    """(key, default) of every number or integer parameter of a learner with a numeric default."""
    cls = learner_class(name)
    return [(k, s["default"]) for k, s in cls.params.items()
            if isinstance(s.get("default"), (int, float)) and not isinstance(s.get("default"), bool)]


@pytest.mark.parametrize("name", LEARNERS.names)
def test_numbers_written_as_strings_are_numbers(name):
    """YAML 1.1 reads 1e-4 (no dot) as a string: every numeric parameter takes its number as text."""
    for key, default in numeric_params(name):
        text = f"{default:e}" if isinstance(default, float) else str(default)
        got = learner_class(name).resolve({key: text}, f"learner.{name}")[key]
        integer = "integer" in str(learner_class(name).params[key].get("type"))
        assert got == pytest.approx(default) and isinstance(got, int if integer else (int, float)), (key, text, got)


@pytest.mark.parametrize("name", LEARNERS.names)
def test_a_string_that_is_no_number_names_the_key(name):
    for key, _ in numeric_params(name):
        with pytest.raises(ConfigError, match=rf"^learner\.{name}\.{key}: 'abc' is not of type "):
            make_learner(name, ["a", "b"], {key: "abc"})
        with pytest.raises(ConfigError, match=rf"^learner\.{name}\.{key}: True is not of type "):
            make_learner(name, ["a", "b"], {key: True})


@pytest.mark.parametrize("name", LEARNERS.names)
def test_an_unknown_parameter_names_the_learner(name):
    with pytest.raises(ConfigError, match=rf"^learner\.{name}: unknown parameters \['no_such_key'\]"):
        make_learner(name, ["a", "b"], {"no_such_key": 1})


CHEAP = [n for n in LEARNERS.names if not learner_class(n).uses_encoder]  # the rest: their own tests


@pytest.mark.parametrize("name", CHEAP)
def test_every_cheap_learner_fits_saves_and_reloads_the_same_model(name, tmp_path):
    cls = learner_class(name)
    X, y = blobs(3, per_class=40, seed=8)
    if cls.features == "text":
        words = np.array(["red", "green", "blue"])
        X = np.array([f"{words[c]} thing {i % 7}" for i, c in enumerate(y)], dtype=object)
    model = make_learner(name, ["a", "b", "c"], {}, seed=1).fit(X[:90], y[:90])
    p = model.predict_proba(X[90:])
    assert p.shape == (30, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    assert (p.argmax(axis=1) == y[90:]).mean() >= 0.9
    model.save(tmp_path / "model")
    again = load_learner(tmp_path / "model")
    assert type(again) is cls and again.params == model.params and again.seed == 1
    np.testing.assert_array_equal(again.predict_proba(X[90:]), p)


def test_standardised_in_place_is_the_textbook_formula_bit_for_bit():
    """The adapter's one-copy standardisation (linear, the ridge of docs/extending.md) against numpy's std and
    (X - mean) / scale, with a constant column (scale 1) and blocks of rows that do not divide the rows."""
    from bucket_al.learners.base import column_sum_of_squares, standardised

    X = np.random.default_rng(3).normal(size=(20_001, 7)).astype(np.float32) * 5 + 2
    X[:, 3] = 1.5
    Z, mean, scale = standardised(X)
    ref = np.asarray(X, dtype=np.float64)
    ref_scale = ref.std(axis=0)
    ref_scale[ref_scale == 0] = 1.0
    assert np.array_equal(mean, ref.mean(axis=0)) and np.array_equal(scale, ref_scale) and scale[3] == 1.0
    assert np.array_equal(Z, (ref - ref.mean(axis=0)) / ref_scale)
    assert np.array_equal(standardised(X[:5], mean, scale)[0], (ref[:5] - mean) / scale)  # new rows, the training scaler
    for block in (1, 999, 65_536):
        assert np.array_equal(column_sum_of_squares(ref - mean, block), ((ref - mean) ** 2).sum(axis=0))


def test_linear_and_knn_are_the_scikit_learn_adapter():
    """The built-in scikit-learn learners are the adapter docs/extending.md recommends, each a declaration and an estimator."""
    from bucket_al.learners.base import SklearnLearner
    from bucket_al.learners.knn import KNNLearner

    assert issubclass(LinearLearner, SklearnLearner) and issubclass(KNNLearner, SklearnLearner)
    assert LinearLearner.linear and LinearLearner.standardise and not KNNLearner.linear and not KNNLearner.standardise
    assert {"fit", "predict_proba", "save_state", "load_state"}.isdisjoint(vars(LinearLearner) | vars(KNNLearner))


def test_a_linear_adapter_learner_without_standardisation_saves_and_reloads(tmp_path):
    """linear = True and standardise = False are independent declarations: the weight checkpoint then holds
    no scaler, and the reloaded model gives the same probabilities."""
    from sklearn.linear_model import RidgeClassifier

    from bucket_al.learners.base import SklearnLearner

    class RawRidge(SklearnLearner):
        name, linear, standardise, params = "raw_ridge", True, False, {}

        def estimator(self):
            return RidgeClassifier()

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 5)).astype(np.float32), rng.integers(0, 3, 60)
    model = RawRidge(n_classes=3).fit(X, y)
    model.save(tmp_path / "m")
    with np.load(tmp_path / "m" / "weights.npz") as f:
        assert "mean" not in f.files and "scale" not in f.files
    assert np.array_equal(RawRidge.load(tmp_path / "m").predict_proba(X), model.predict_proba(X))
