"""The default learner: logistic regression on the full embeddings (``learner: {name: linear}``)."""

from __future__ import annotations

from .base import SklearnLearner


class LinearLearner(SklearnLearner):
    """Multinomial logistic regression on the full embeddings (scikit-learn, lbfgs); multi-label: one
    binary logistic regression per label (one-vs-rest, the same standardisation and parameters).

    Features are standardised with the training rows' mean and scale. The checkpoint directory
    holds ``learner.json`` and ``weights.npz`` (weights, bias, scaler, classes seen).
    """

    name = "linear"
    linear = True  # the checkpoint is the weights; the probabilities the softmax (multi-label: sigmoid) of the logits
    multilabel = True
    seeded = False  # lbfgs uses no randomness: the seed changes nothing
    params = {
        "C": {"type": "number", "exclusiveMinimum": 0, "default": 0.05,
              "description": "inverse L2 strength on the standardised embeddings"},
        "max_iter": {"type": "integer", "minimum": 1, "default": 1000, "description": "lbfgs iterations at most"},
    }

    def estimator(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.params["C"], max_iter=self.params["max_iter"], random_state=self.seed)
