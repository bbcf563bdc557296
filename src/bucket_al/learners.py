"""Step 6: learners. A learner has the scikit-learn shape: ``fit(X, y)``, ``predict_proba(X)``
(one column per class id, ``n_classes`` columns even when the training set lacks a class),
``save(path)`` and ``load(path)``. ``features`` says what X is: ``"embeddings"`` (a float matrix
of the pool's sentence vectors) or ``"text"`` (an array of the cleaned sentences).

Every checkpoint is a directory holding ``learner.json`` (the learner's name, classes and
hyper-parameters), so :func:`load_learner` reloads any of them. Register new learners in
:data:`LEARNERS`: ``linear`` (here), ``finetune`` (:mod:`bucket_al.finetune`), ``nb`` and ``knn``
(:mod:`bucket_al.baselines`), ``setfit`` (:mod:`bucket_al.setfit_learner`) and ``selftrain``
(:mod:`bucket_al.selftrain`).

What a learner declares, and the rules read: ``features`` (above); ``uses_gpu`` (its jobs ask for
``resources.gpu``); ``uses_encoder`` (it starts from the configured encoder: ``model`` and ``device``
default to ``encoder.model`` and ``encoder.device``; default False); ``reads_pool`` (``fit(X, y,
unlabelled=...)`` also takes the features of the pool rows outside the manifest and the seed's stop
set; default False).
"""

from __future__ import annotations

import inspect
import logging
import types
import typing
from pathlib import Path

import numpy as np

from .baselines import KNNLearner, NaiveBayesLearner
from .errors import ConfigError, check_choice
from .finetune import FinetuneLearner
from .io import atomic_dir, read_meta, write_meta
from .selftrain import SelfTrainLearner
from .setfit_learner import SetFitLearner

log = logging.getLogger(__name__)

class LinearLearner:
    """Multinomial logistic regression on the full embeddings (scikit-learn, lbfgs).

    Features are standardised with the training rows' mean and scale. The checkpoint directory
    holds ``learner.json`` and ``weights.npz`` (weights, bias, scaler, classes seen): no pickle.
    """

    name = "linear"
    features = "embeddings"
    uses_gpu = False

    def __init__(self, n_classes: int, C: float = 1.0, max_iter: int = 1000, seed: int = 0,
                 label_names: list[str] | None = None):
        if C <= 0:
            raise ConfigError(f"learner.linear.C: must be positive, got {C}")
        self.n_classes, self.C, self.max_iter, self.seed = int(n_classes), float(C), int(max_iter), int(seed)
        self.label_names = list(label_names) if label_names is not None else [str(i) for i in range(self.n_classes)]
        self.coef_ = self.intercept_ = self.mean_ = self.scale_ = self.classes_ = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> "LinearLearner":
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float64)
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        self.classes_ = np.unique(y)
        if len(self.classes_) == 1:
            # A one-class training set: the model can only ever predict that class. Said loudly.
            log.warning("training set holds one class only (%s): the model predicts it everywhere", self.classes_[0])
            self.coef_ = np.zeros((1, X.shape[1]))
            self.intercept_ = np.zeros(1)
            return self
        clf = LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.seed)
        clf.fit((X - self.mean_) / self.scale_, y)
        self.coef_, self.intercept_ = clf.coef_, clf.intercept_
        log.info("fitted logistic regression (C=%g) on %d rows, classes %s, %d iterations",
                 self.C, len(X), self.classes_.tolist(), int(clf.n_iter_.max()))
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        z = ((np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_) @ self.coef_.T + self.intercept_
        if len(self.classes_) == 2:  # scikit-learn's binary model: one logit for the second class
            z = np.hstack([np.zeros_like(z), z])
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        full = np.zeros((len(p), self.n_classes))
        full[:, self.classes_] = p
        return full

    def save(self, path) -> None:
        meta = {"learner": self.name, "n_classes": self.n_classes, "label_names": self.label_names,
                "seed": self.seed, "params": {"C": self.C, "max_iter": self.max_iter}}
        with atomic_dir(path) as tmp:
            write_meta(tmp, meta)
            np.savez(tmp / "weights.npz", coef=self.coef_, intercept=self.intercept_, mean=self.mean_,
                     scale=self.scale_, classes=self.classes_)

    @classmethod
    def load(cls, path) -> "LinearLearner":
        meta = read_meta(path)
        model = cls(meta["n_classes"], seed=meta["seed"], label_names=meta["label_names"], **meta["params"])
        with np.load(Path(path) / "weights.npz") as f:
            model.coef_, model.intercept_ = f["coef"], f["intercept"]
            model.mean_, model.scale_, model.classes_ = f["mean"], f["scale"], f["classes"]
        return model


LEARNERS = {"linear": LinearLearner, "finetune": FinetuneLearner, "nb": NaiveBayesLearner, "knn": KNNLearner,
            "setfit": SetFitLearner, "selftrain": SelfTrainLearner}


def reads_pool(name: str) -> bool:
    """Whether the learner's fit also takes the unlabelled pool rows (its ``reads_pool``)."""
    return bool(getattr(learner_class(name), "reads_pool", False))


def uses_encoder(name: str) -> bool:
    """Whether the learner starts from the configured encoder (its ``uses_encoder``)."""
    return bool(getattr(learner_class(name), "uses_encoder", False))


def learner_class(name: str):
    check_choice("learner.name", "learner", name, LEARNERS)
    return LEARNERS[name]


def _numeric_kind(cls, key: str):
    """``int`` or ``float`` when the constructor takes a number for ``key`` (by its type hint, else
    by its default's type), or None. A key the constructor passes on to its parent's (``**kwargs``,
    as selftrain does to finetune) is looked up there."""
    owner = next((k for k in cls.__mro__ if key in inspect.signature(k.__init__).parameters), cls)
    try:
        hint = typing.get_type_hints(owner.__init__).get(key)
    except Exception:  # an unresolvable hint: fall back to the default
        hint = None
    if hint is None:
        param = inspect.signature(owner.__init__).parameters.get(key)
        hint = type(param.default) if param is not None and param.default is not inspect.Parameter.empty else None
    kinds = set(typing.get_args(hint)) if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union \
        else {hint}
    if bool in kinds:
        return None
    return float if float in kinds else int if int in kinds else None


def coerce_numbers(name: str, cls, params: dict) -> dict:
    """``params`` with numbers written as strings turned into numbers, for the keys where the
    constructor takes a number: YAML 1.1 reads ``1e-4`` (no dot) as the string '1e-4'. A string
    that is not a number raises ``learner.<name>.<key>: expected a number, got 'abc'``."""
    out = dict(params)
    for key, value in params.items():
        kind = _numeric_kind(cls, key) if isinstance(value, str) else None
        if kind is None:
            continue
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"learner.{name}.{key}: expected a number, got '{value}'") from None
        if kind is int:
            if not number.is_integer():
                raise ConfigError(f"learner.{name}.{key}: expected a whole number, got '{value}'")
            number = int(number)
        out[key] = number
    return out


def make_learner(name: str, label_names: list[str], params: dict | None = None, seed: int = 0):
    """A fresh learner for these classes (ids 0..len(label_names)-1); ``params`` are the
    config's ``learner.<name>`` section. Unknown names and parameters raise a ConfigError; numbers
    written as strings ('1e-4') are read as numbers (:func:`coerce_numbers`)."""
    cls = learner_class(name)
    params = coerce_numbers(name, cls, params or {})
    try:
        return cls(n_classes=len(label_names), label_names=list(label_names), seed=seed, **params)
    except TypeError as exc:  # an unknown keyword in learner.<name>
        raise ConfigError(f"learner.{name}: {exc}") from exc


def load_learner(path):
    """Reload any learner's checkpoint directory (the learner's name is in its learner.json)."""
    return learner_class(read_meta(path)["learner"]).load(path)
