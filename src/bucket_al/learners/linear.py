"""The default learner: logistic regression on the full embeddings (``learner: {name: linear}``)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .base import Learner, per_label, softmax_of_logits, warn_one_class

log = logging.getLogger(__name__)


def column_sum_of_squares(Z: np.ndarray, block: int = 8192) -> np.ndarray:
    """``(Z * Z).sum(axis=0)`` a block of rows at a time, each block's sum carried on from the last row's
    partial sums (numpy adds the rows of an axis-0 reduction one after the other, so the sums are the same
    bit for bit), without a temporary the size of ``Z``."""
    acc = None
    for start in range(0, len(Z), block):
        rows = Z[start:start + block]
        rows = rows * rows
        acc = np.add.reduce(rows if acc is None else np.vstack([acc[None], rows]), axis=0)
    return acc if acc is not None else np.zeros(Z.shape[1])


class LinearLearner(Learner):
    """Multinomial logistic regression on the full embeddings (scikit-learn, lbfgs); multi-label: one
    binary logistic regression per label (one-vs-rest, the same standardisation and parameters).

    Features are standardised with the training rows' mean and scale. The checkpoint directory
    holds ``learner.json`` and ``weights.npz`` (weights, bias, scaler, classes seen).
    """

    name = "linear"
    features = "embeddings"
    multilabel = True
    seeded = False  # lbfgs uses no randomness: the seed changes nothing
    params = {
        "C": {"type": "number", "exclusiveMinimum": 0, "default": 0.05,
              "description": "inverse L2 strength on the standardised embeddings"},
        "max_iter": {"type": "integer", "minimum": 1, "default": 1000, "description": "lbfgs iterations at most"},
    }

    def fit(self, X: np.ndarray, y: np.ndarray) -> "LinearLearner":
        from sklearn.linear_model import LogisticRegression

        # One float64 copy, standardised in place: the same numbers as X.std(axis=0) and (X - mean) / scale,
        # bit for bit, without their two temporaries the size of X (the ceiling of a 10^6-row pool: 6 GB less)
        Z = np.array(X, dtype=np.float64)
        self.mean_ = Z.mean(axis=0)
        Z -= self.mean_
        self.scale_ = np.sqrt(column_sum_of_squares(Z) / len(Z))
        self.scale_[self.scale_ == 0] = 1.0
        Z /= self.scale_
        if self.is_multilabel:
            return self._fit_per_label(Z, y)
        self.classes_ = np.unique(y)
        if len(self.classes_) == 1:
            # A one-class training set: the model can only ever predict that class. Said loudly.
            warn_one_class(self.classes_[0])
            self.coef_ = np.zeros((1, Z.shape[1]))
            self.intercept_ = np.zeros(1)
            return self
        clf = LogisticRegression(C=self.params["C"], max_iter=self.params["max_iter"], random_state=self.seed)
        clf.fit(Z, y)
        self.coef_, self.intercept_ = clf.coef_, clf.intercept_
        log.info("fitted logistic regression (C=%g) on %d rows, classes %s, %d iterations",
                 self.params["C"], len(Z), self.classes_.tolist(), int(clf.n_iter_.max()))
        return self

    def _fit_per_label(self, Z: np.ndarray, Y: np.ndarray) -> "LinearLearner":
        from sklearn.linear_model import LogisticRegression

        def fit_one(y):
            return LogisticRegression(C=self.params["C"], max_iter=self.params["max_iter"], random_state=self.seed).fit(Z, y)

        models, constant = per_label(fit_one, Y)
        self.coef_ = np.vstack([m.coef_[0] if m is not None else np.zeros(Z.shape[1]) for m in models])
        self.intercept_ = np.array([m.intercept_[0] if m is not None else 0.0 for m in models])
        # classes_ marks the labels with a model (1); a constant label's probability is its training mean
        self.classes_ = np.array([m is not None for m in models], dtype=np.int64)
        self.constant_ = constant
        log.info("fitted %d per-label logistic regressions (C=%g) on %d rows; %d labels constant in training",
                 int(self.classes_.sum()), self.params["C"], len(Z), int((self.classes_ == 0).sum()))
        return self

    def decision_values(self, X: np.ndarray) -> np.ndarray:
        # (X - mean) / scale in place on one float64 copy: the same arithmetic, bit for bit, without two
        # more temporaries the size of the pool (a scored round's job spent more in page faults than in math)
        Z = np.array(X, dtype=np.float64)
        Z -= self.mean_
        Z /= self.scale_
        return Z @ self.coef_.T + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        if self.is_multilabel:
            from scipy.special import expit

            return np.where(self.classes_.astype(bool), expit(self.decision_values(X)), self.constant_)
        return softmax_of_logits(self.decision_values(X), self.classes_, self.n_classes)

    def save_state(self, directory: Path) -> None:
        extra = {"constant": self.constant_} if self.is_multilabel else {}
        np.savez(directory / "weights.npz", coef=self.coef_, intercept=self.intercept_, mean=self.mean_,
                 scale=self.scale_, classes=self.classes_, **extra)

    def load_state(self, directory: Path, **options) -> None:
        with np.load(directory / "weights.npz") as f:
            self.coef_, self.intercept_ = f["coef"], f["intercept"]
            self.mean_, self.scale_, self.classes_ = f["mean"], f["scale"], f["classes"]
            if self.is_multilabel:
                self.constant_ = f["constant"]
