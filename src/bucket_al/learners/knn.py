"""k nearest neighbours by cosine distance on the sentence embeddings (``learner: {name: knn}``): a
cheap learner for small label budgets, a baseline beside the linear model and fine-tuning."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .base import Learner, spread_columns

log = logging.getLogger(__name__)


class KNNLearner(Learner):
    """k nearest neighbours by cosine distance on the embeddings (brute force), votes weighted by
    1/distance (``weights: distance``, an exact duplicate of a training row takes its label) or
    equal (``uniform``). ``k`` is capped at the number of training rows.

    The checkpoint directory holds ``learner.json`` and ``neighbours.npz`` (the training vectors
    and their labels); loading rebuilds the index from them.
    """

    name = "knn"
    features = "embeddings"
    multilabel = True  # a label's probability: the (weighted) share of the neighbours that carry it
    seeded = False  # brute-force neighbours: no randomness
    resources = {"model": {"mem_mb": 2000, "runtime": 30}, "ceiling": {"mem_mb": 4000, "runtime": 30}}
    params = {
        "k": {"type": "integer", "minimum": 1, "default": 10, "description": "neighbours (capped at the training rows)"},
        "weights": {"enum": ["distance", "uniform"], "default": "distance",
                    "description": "distance: votes weighted by 1/distance; uniform: equal votes"},
    }

    def fit(self, X, y) -> "KNNLearner":
        from sklearn.neighbors import KNeighborsClassifier

        self.X_, self.y_ = np.asarray(X, dtype=np.float32), np.asarray(y, dtype=np.int64)
        k = min(self.params["k"], len(self.y_))
        if k < self.params["k"]:
            log.warning("k=%d but only %d training rows: using k=%d", self.params["k"], len(self.y_), k)
        self.index = KNeighborsClassifier(n_neighbors=k, weights=self.params["weights"], metric="cosine",
                                          algorithm="brute").fit(self.X_, self.y_)
        log.info("k-NN index (k=%d, %s weights) on %d rows", k, self.params["weights"], len(self.y_))
        return self

    def predict_proba(self, X) -> np.ndarray:
        proba = self.index.predict_proba(np.asarray(X, dtype=np.float32))
        if self.is_multilabel:  # one (rows x values seen) array per label: the column of value 1, if seen
            return np.column_stack([p[:, list(c).index(1)] if 1 in c else np.zeros(len(p))
                                    for p, c in zip(proba, self.index.classes_)])
        return spread_columns(proba, self.index.classes_, self.n_classes)

    def save_state(self, directory: Path) -> None:
        np.savez(directory / "neighbours.npz", X=self.X_, y=self.y_)

    def load_state(self, directory: Path, **options) -> None:
        with np.load(directory / "neighbours.npz") as f:
            self.fit(f["X"], f["y"])
