"""The learner base: the scikit-learn shape every learner has, and what it declares.

A learner is ``fit(X, y)``, ``predict_proba(X)`` (one column per class id, ``n_classes`` columns
even when the training set lacks a class), ``save(path)`` and ``load(path)``. What it declares, and
the rules read (so no .smk file names a learner):

- ``features``: what X is, ``"embeddings"`` (float rows of the pool's sentence vectors) or
  ``"text"`` (an object array of the cleaned sentences);
- ``params``: its parameters with defaults (bucket_al.registry), the ``learner.<name>`` config section;
- ``resources``: memory (MB) and runtime (minutes) of its jobs, ``model`` (a round's model) and
  ``ceiling`` (the whole pool), for a cluster scheduler;
- ``seeded``: its fit depends on the seed (else its full-data model is trained once, not per seed);
- ``multilabel``: it also learns several labels per row (``dataset.task: multilabel``): then y is a
  binary indicator matrix (rows x labels) and ``predict_proba`` gives each label's probability;
- ``uses_gpu``: its jobs ask for ``resources.gpu`` GPUs; ``uses_encoder``: it starts from the
  configured encoder (its ``model`` and ``device`` parameters default to ``encoder.model`` and
  ``encoder.device``); ``reads_pool``: ``fit(X, y, unlabelled=...)`` also takes the features of the
  pool rows outside the manifest and the seed's stop set.

A checkpoint is a directory holding ``learner.json`` (the learner's name, classes, seed and
parameters) beside the learner's own files (:meth:`Learner.save_state`), so
:func:`bucket_al.learners.load_learner` reloads any of them. No checkpoint holds a pickle.

:class:`SklearnLearner` turns a scikit-learn classifier into a learner in a few lines (``linear`` and ``knn`` are two).
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..io import atomic_dir, read_meta, write_meta
from ..registry import Plugin

log = logging.getLogger(__name__)


def spread_columns(proba: np.ndarray, classes: np.ndarray, n_classes: int) -> np.ndarray:
    """Probabilities over the classes seen in training, as ``n_classes`` columns (the classes
    never seen get 0)."""
    full = np.zeros((len(proba), n_classes))
    full[:, np.asarray(classes, dtype=np.int64)] = proba
    return full


def per_label(fit_one, Y: np.ndarray):
    """One-vs-rest over the columns of a binary indicator matrix ``Y``: ``fit_one(y)`` for each label
    that takes both values in training; a label that takes one value only is that constant. Returns
    the fitted models (None for a constant label) and each label's constant (its training mean)."""
    models, constant = [], np.asarray(Y, dtype=np.float64).mean(axis=0)
    for j in range(Y.shape[1]):
        y = np.asarray(Y[:, j], dtype=np.int64)
        models.append(fit_one(y) if 0 < y.sum() < len(y) else None)
    return models, constant


def softmax_of_logits(z: np.ndarray, classes: np.ndarray, n_classes: int) -> np.ndarray:
    """Class probabilities from linear decision values ``z`` (rows x classes seen; one column for a
    binary model, scikit-learn's logit of the second class), spread to ``n_classes`` columns."""
    if len(classes) == 2:
        z = np.hstack([np.zeros_like(z), z])
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return spread_columns(p, classes, n_classes)


def warn_one_class(label) -> None:
    """A one-class training set: the model can only ever predict that class. Said loudly, by every learner."""
    log.warning("training set holds one class only (%s): the model predicts it everywhere", label)


class Learner(Plugin):
    """The base of every learner (module docstring). Subclasses set ``name``, ``params`` and the
    declarations, and implement ``fit``, ``predict_proba``, ``save_state`` and ``load_state``."""

    features = "embeddings"
    seeded = True
    multilabel = False
    uses_gpu = False
    uses_encoder = False
    reads_pool = False
    resources = {"model": {"mem_mb": 2000, "runtime": 10}, "ceiling": {"mem_mb": 4000, "runtime": 30}}

    def __init__(self, n_classes: int, label_names: list[str] | None = None, seed: int = 0, multilabel: bool = False,
                 threshold=None, **params):
        if multilabel and not type(self).multilabel:
            raise ConfigError(f"learner.name: learner '{self.name}' has no multi-label form (dataset.task: multilabel)")
        self.n_classes, self.seed = int(n_classes), int(seed)
        self.label_names = list(label_names) if label_names is not None else [str(i) for i in range(self.n_classes)]
        self.params = self.resolve(params, f"learner.{self.name}")
        self.is_multilabel = bool(multilabel)
        # multi-label: a label is predicted where its probability reaches this (one value, or one per label;
        # the workflow passes multilabel.threshold)
        self.threshold = threshold
        self.training: dict = {}  # what fit() reports (rows, steps, seconds, ...), saved in learner.json

    # -- to implement ----------------------------------------------------------------------
    @abstractmethod
    def fit(self, X, y) -> "Learner":
        """Train on rows ``X`` with label ids ``y`` (multi-label: a 0/1 matrix); return self."""

    @abstractmethod
    def predict_proba(self, X) -> np.ndarray:
        """Class (multi-label: each label's) probabilities, one row per row of ``X``."""

    @abstractmethod
    def save_state(self, directory: Path) -> None:
        """Write the fitted state into ``directory`` (learner.json is written by :meth:`save`)."""

    @abstractmethod
    def load_state(self, directory: Path, **options) -> None:
        """Read what :meth:`save_state` wrote."""

    # -- checkpoints -----------------------------------------------------------------------
    def meta(self) -> dict:
        meta = {"learner": self.name, "n_classes": self.n_classes, "label_names": self.label_names,
                "seed": self.seed, "params": self.params}
        if self.is_multilabel:
            meta |= {"multilabel": True, "threshold": self.threshold}
        return {**meta, "training": self.training} if self.training else meta

    def save(self, path) -> None:
        """The checkpoint directory, written whole or not at all."""
        with atomic_dir(path) as tmp:
            self.save_state(tmp)
            write_meta(tmp, self.meta())

    @classmethod
    def load(cls, path, **options) -> "Learner":
        meta = read_meta(path)
        model = cls(meta["n_classes"], label_names=meta["label_names"], seed=meta["seed"],
                    multilabel=meta.get("multilabel", False), threshold=meta.get("threshold"), **meta["params"])
        model.training = meta.get("training", {})
        model.load_state(Path(path), **options)
        return model


class EncoderLearner(Learner):
    """A learner that trains a transformer encoder on the sentences (finetune, setfit, selftrain): it
    starts from the configured encoder on its device (``model`` and ``device`` default to
    ``encoder.model`` and ``encoder.device``) and is worth a GPU on a cluster."""

    features = "text"
    uses_gpu = True
    uses_encoder = True
    resources = {"model": {"mem_mb": 8000, "runtime": 180}, "ceiling": {"mem_mb": 16000, "runtime": 1440}}
    params = {
        "model": {"type": ["string", "null"], "default": None,
                  "description": "the encoder to start from (hub id, model directory, package:<module>); "
                                 "null: encoder.model"},
        "device": {"enum": ["auto", "cpu", "cuda", None], "default": None, "description": "null: encoder.device"},
    }


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


def standardised(X, mean: np.ndarray | None = None, scale: np.ndarray | None = None):
    """``(X - mean) / scale`` on one float64 copy of ``X``, in place; without ``mean`` and ``scale``, those of
    ``X`` itself (a zero scale counts as 1). The same numbers as ``X.mean(axis=0)``, ``X.std(axis=0)`` and
    ``(X - mean) / scale``, bit for bit, without their temporaries the size of ``X`` (the full-data model of
    a 10^6-row pool: 6 GB less; a scored round's job spent more in page faults than in arithmetic).
    Returns ``(Z, mean, scale)``."""
    Z = np.array(X, dtype=np.float64)
    if mean is None:
        mean = Z.mean(axis=0)
        Z -= mean
        scale = np.sqrt(column_sum_of_squares(Z) / max(len(Z), 1))
        scale[scale == 0] = 1.0
    else:
        Z -= mean
    Z /= scale
    return Z, mean, scale


class SklearnLearner(Learner):
    """A scikit-learn classifier on the embeddings. A subclass declares ``name`` and ``params`` and
    returns the unfitted estimator from :meth:`estimator` (``self.params``, ``self.seed`` and the training
    labels ``self.y_`` at hand); that is all (docs/extending.md, "Add a learner": a ridge classifier in 11
    lines, run by tests/test_docs.py). The built-in ``linear`` and ``knn`` are such subclasses.

    What a subclass may declare besides:

    - ``standardise`` (True): the features are standardised with the training rows' mean and scale
      (:func:`standardised`); False: the estimator sees the embeddings as they are (float32).
    - ``linear`` (False): the estimator is linear (``coef_``, ``intercept_``: a logistic regression, a
      ridge, a linear SVM). Its checkpoint is then its weights (``weights.npz``: weights, bias, the scaler,
      the classes seen) and its probabilities the softmax of its decision values (multi-label: their
      sigmoid), whatever its ``predict_proba`` says. Otherwise the checkpoint holds the training rows
      (``training_rows.npz``) and loading refits on them (pickle-free and, for a seeded estimator, the same
      model), and the probabilities are ``predict_proba``'s, or the softmax of ``decision_function``.
    - ``multilabel`` (False): True gives the multi-label form (``dataset.task: multilabel``): a linear
      estimator is fitted once per label (one-vs-rest; a label that takes one value in training is that
      constant); any other must take the rows x labels indicator matrix itself (scikit-learn's
      multi-output classifiers: k-NN, trees, forests).

    A one-class training set predicts that class everywhere (with a warning).
    """

    standardise = True
    linear = False

    @abstractmethod
    def estimator(self):
        """The unfitted scikit-learn estimator."""

    # -- fit -----------------------------------------------------------------------------
    def fit(self, X, y) -> "SklearnLearner":
        self.y_ = np.asarray(y, dtype=np.int64)
        if self.standardise:
            Z, self.mean_, self.scale_ = standardised(X)
        else:
            Z = np.asarray(X, dtype=np.float32)
        if not self.linear:  # the checkpoint: the training rows
            self.X_ = np.asarray(X, dtype=np.float32)
        if self.is_multilabel:
            return self._fit_per_label(Z) if self.linear else self._fit_multi_output(Z)
        self.classes_ = np.unique(self.y_)
        self.model_ = None
        if len(self.classes_) == 1:
            warn_one_class(self.classes_[0])
            if self.linear:  # a constant logit: the one class everywhere
                self.coef_, self.intercept_ = np.zeros((1, Z.shape[1])), np.zeros(1)
            return self
        self.model_ = self.estimator().fit(Z, self.y_)
        if self.linear:
            self.coef_, self.intercept_ = self.model_.coef_, self.model_.intercept_
        iterations = getattr(self.model_, "n_iter_", None)
        log.info("fitted %s on %d rows, classes %s%s", type(self.model_).__name__, len(Z), self.classes_.tolist(),
                 "" if iterations is None else f", {int(np.max(iterations))} iterations")
        return self

    def _fit_per_label(self, Z: np.ndarray) -> "SklearnLearner":
        models, self.constant_ = per_label(lambda y: self.estimator().fit(Z, y), self.y_)
        self.coef_ = np.vstack([m.coef_[0] if m is not None else np.zeros(Z.shape[1]) for m in models])
        self.intercept_ = np.array([m.intercept_[0] if m is not None else 0.0 for m in models])
        # classes_ marks the labels with a model (1); a constant label's probability is its training mean
        self.classes_ = np.array([m is not None for m in models], dtype=np.int64)
        log.info("fitted %d per-label %s on %d rows; %d labels constant in training", int(self.classes_.sum()),
                 type(self.estimator()).__name__, len(Z), int((self.classes_ == 0).sum()))
        return self

    def _fit_multi_output(self, Z: np.ndarray) -> "SklearnLearner":
        self.model_ = self.estimator().fit(Z, self.y_)
        log.info("fitted %s on %d rows, %d labels", type(self.model_).__name__, len(Z), self.y_.shape[1])
        return self

    # -- predict -------------------------------------------------------------------------
    def features_of(self, X) -> np.ndarray:
        """What the estimator sees of rows ``X``: standardised with the training rows' mean and scale, or as they are."""
        return standardised(X, self.mean_, self.scale_)[0] if self.standardise else np.asarray(X, dtype=np.float32)

    def predict_proba(self, X) -> np.ndarray:
        Z = self.features_of(X)
        if self.linear:
            z = Z @ self.coef_.T + self.intercept_
            if self.is_multilabel:
                from scipy.special import expit

                return np.where(self.classes_.astype(bool), expit(z), self.constant_)
            return softmax_of_logits(z, self.classes_, self.n_classes)
        if self.is_multilabel:  # one (rows x values seen) array per label: the column of value 1, if seen
            return np.column_stack([p[:, list(c).index(1)] if 1 in c else np.zeros(len(p))
                                    for p, c in zip(self.model_.predict_proba(Z), self.model_.classes_)])
        if self.model_ is None:
            return spread_columns(np.ones((len(Z), 1)), self.classes_, self.n_classes)
        if hasattr(self.model_, "predict_proba"):
            return spread_columns(self.model_.predict_proba(Z), self.model_.classes_, self.n_classes)
        z = np.asarray(self.model_.decision_function(Z), dtype=np.float64)
        return softmax_of_logits(z.reshape(len(Z), -1), self.model_.classes_, self.n_classes)

    # -- checkpoint ----------------------------------------------------------------------
    def save_state(self, directory: Path) -> None:
        if not self.linear:
            np.savez(directory / "training_rows.npz", X=self.X_, y=self.y_)
            return
        extra = {"constant": self.constant_} if self.is_multilabel else {}
        if self.standardise:  # the scaler, which features_of applies to new rows
            extra |= {"mean": self.mean_, "scale": self.scale_}
        np.savez(directory / "weights.npz", coef=self.coef_, intercept=self.intercept_, classes=self.classes_, **extra)

    def load_state(self, directory: Path, **options) -> None:
        if not self.linear:
            with np.load(directory / "training_rows.npz") as f:
                self.fit(f["X"], f["y"])
            return
        with np.load(directory / "weights.npz") as f:
            self.coef_, self.intercept_, self.classes_ = f["coef"], f["intercept"], f["classes"]
            if self.standardise:
                self.mean_, self.scale_ = f["mean"], f["scale"]
            if self.is_multilabel:
                self.constant_ = f["constant"]
