"""Step 6: learners. A learner has the scikit-learn shape: ``fit(X, y)``, ``predict_proba(X)``
(one column per class id, ``n_classes`` columns even when the training set lacks a class),
``save(path)`` and ``load(path)``. Register new ones in :data:`LEARNERS`.
"""

from __future__ import annotations

import json
import logging

import numpy as np

from .errors import ConfigError, check_choice
from .io import atomic_path

log = logging.getLogger(__name__)


class LinearLearner:
    """Multinomial logistic regression on the full embeddings (scikit-learn, lbfgs).

    Features are standardised with the training rows' mean and scale. The checkpoint is a
    plain ``.npz`` (weights, bias, scaler, classes seen, hyper-parameters): no pickle.
    """

    name = "linear"

    def __init__(self, n_classes: int, C: float = 1.0, max_iter: int = 1000, seed: int = 0):
        if C <= 0:
            raise ConfigError(f"learner.C: must be positive, got {C}")
        self.n_classes, self.C, self.max_iter, self.seed = int(n_classes), float(C), int(max_iter), int(seed)
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
        meta = {"learner": self.name, "n_classes": self.n_classes, "C": self.C, "max_iter": self.max_iter, "seed": self.seed}
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, coef=self.coef_, intercept=self.intercept_, mean=self.mean_, scale=self.scale_,
                     classes=self.classes_, meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path) -> "LinearLearner":
        with np.load(path) as f:
            meta = json.loads(str(f["meta"]))
            model = cls(meta["n_classes"], meta["C"], meta["max_iter"], meta["seed"])
            model.coef_, model.intercept_ = f["coef"], f["intercept"]
            model.mean_, model.scale_, model.classes_ = f["mean"], f["scale"], f["classes"]
        return model


LEARNERS = {"linear": LinearLearner}


def make_learner(name: str, n_classes: int, params: dict | None = None, seed: int = 0):
    check_choice("learner.name", "learner", name, LEARNERS)
    try:
        return LEARNERS[name](n_classes=n_classes, seed=seed, **(params or {}))
    except TypeError as exc:  # an unknown keyword in learner.params
        raise ConfigError(f"learner.params: {exc}") from exc


def load_learner(path):
    """Reload any learner's checkpoint (the learner's name is stored in it)."""
    with np.load(path) as f:
        name = json.loads(str(f["meta"]))["learner"]
    return LEARNERS[name].load(path)
