"""k nearest neighbours by cosine distance on the sentence embeddings (``learner: {name: knn}``): a
cheap learner for small label budgets, a baseline beside the linear model and fine-tuning."""

from __future__ import annotations

import logging

from .base import SklearnLearner

log = logging.getLogger(__name__)


class KNNLearner(SklearnLearner):
    """k nearest neighbours by cosine distance on the embeddings (brute force), votes weighted by
    1/distance (``weights: distance``, an exact duplicate of a training row takes its label) or
    equal (``uniform``). ``k`` is capped at the number of training rows.

    The checkpoint directory holds ``learner.json`` and ``training_rows.npz`` (the training vectors
    and their labels); loading rebuilds the index from them.
    """

    name = "knn"
    standardise = False  # cosine distance on the embeddings as they are
    multilabel = True  # a label's probability: the (weighted) share of the neighbours that carry it
    seeded = False  # brute-force neighbours: no randomness
    resources = {"model": {"mem_mb": 2000, "runtime": 30}, "ceiling": {"mem_mb": 4000, "runtime": 30}}
    params = {
        "k": {"type": "integer", "minimum": 1, "default": 10, "description": "neighbours (capped at the training rows)"},
        "weights": {"enum": ["distance", "uniform"], "default": "distance",
                    "description": "distance: votes weighted by 1/distance; uniform: equal votes"},
    }

    def estimator(self):
        from sklearn.neighbors import KNeighborsClassifier

        k = min(self.params["k"], len(self.y_))
        if k < self.params["k"]:
            log.warning("k=%d but only %d training rows: using k=%d", self.params["k"], len(self.y_), k)
        return KNeighborsClassifier(n_neighbors=k, weights=self.params["weights"], metric="cosine", algorithm="brute")
