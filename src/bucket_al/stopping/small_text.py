"""small-text's stopping criteria (``small_text.stopping_criteria``), fed the stop-set predictions
round by round."""

from __future__ import annotations

import sys
from abc import abstractmethod

import numpy as np

from .base import Criterion

HIDDEN = ("torch", "transformers")


def stopping_criteria():
    """``small_text.stopping_criteria``. Importing small-text imports its torch and transformers
    integrations whenever those packages are installed (4 s here), which its stopping criteria never
    use. Unless torch is imported already, both are hidden while small-text is imported (``None`` in
    ``sys.modules`` makes an import fail; small-text then skips its integrations) and shown again
    right after, so a stop check pays only for what it runs. scikit-learn (and with it scipy, which
    looks for torch arrays at import) is imported first, undisturbed."""
    if "small_text.stopping_criteria" in sys.modules or "torch" in sys.modules:
        import small_text.stopping_criteria

        return small_text.stopping_criteria
    import sklearn  # noqa: F401

    hidden = [name for name in HIDDEN if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None
    try:
        import small_text.stopping_criteria
    finally:
        for name in hidden:
            del sys.modules[name]
    return small_text.stopping_criteria


class SmallTextCriterion(Criterion):
    """A small-text criterion: :meth:`rule` builds it, and it is asked once per round."""

    @abstractmethod
    def rule(self, num_classes: int):
        """The small-text criterion object for ``num_classes`` classes."""

    def stop_round(self, n_labeled, proba, next_labeled):
        if proba is None or len(proba) != len(n_labeled):
            raise ValueError(f"criterion '{self.name}' needs one stop-set prediction per round")
        rule = self.rule(proba[0].shape[1])
        for r, (p, pred) in enumerate(zip(proba, self.predictions(proba))):
            if rule.stop(predictions=pred, proba=np.asarray(p, dtype=np.float64), indices_stopping=np.arange(len(p))):
                return r
        return None


def label_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two binary indicator matrices, label by label, averaged over the labels; a
    label both predict identically counts 1 (as small-text counts a perfect agreement)."""
    from sklearn.metrics import cohen_kappa_score

    return float(np.mean([1.0 if np.array_equal(a[:, j], b[:, j]) else cohen_kappa_score(a[:, j], b[:, j], labels=[0, 1])
                          for j in range(a.shape[1])]))


class Kappa(SmallTextCriterion):
    """Stabilizing predictions (Bloodgood and Vijay-Shanker 2009): Cohen's kappa between consecutive
    models' stop-set predictions; stop when its mean over the last ``window`` checks is at least
    ``threshold`` (small-text's KappaAverage; needs ``window + 1`` models). Multi-label: the kappa of
    each label's predictions, averaged over the labels (our own: small-text's takes one label per row).
    Per label rather than on whole label sets: with many labels a set changes whenever any of its
    labels flips, so set-level agreement falls for changes that are rare label by label."""

    name = "kappa"
    params = {"window": {"type": "integer", "minimum": 1, "default": 3, "description": "checks averaged"},
              "threshold": {"type": "number", "minimum": -1, "maximum": 1, "default": 0.99,
                            "description": "the mean kappa to reach"}}

    def rule(self, num_classes):
        return stopping_criteria().KappaAverage(num_classes, window_size=self.params["window"], kappa=self.params["threshold"])

    def stop_round(self, n_labeled, proba, next_labeled):
        if not self.multilabel:
            return super().stop_round(n_labeled, proba, next_labeled)
        preds, history = self.predictions(proba), []  # KappaAverage's window, per-label kappas
        for r in range(1, len(preds)):
            history = [*history, label_kappa(preds[r], preds[r - 1])][-self.params["window"]:]
            if len(history) == self.params["window"] and np.mean(history) >= self.params["threshold"]:
                return r
        return None


class ClassificationChange(SmallTextCriterion):
    """Stop when at most a ``threshold`` fraction of the stop-set predictions changed since the previous
    round (Zhu et al. 2008; 0 is the original rule; small-text's ClassificationChange). Multi-label: the
    share of rows whose predicted label set changed (small-text's, fed sparse indicator rows)."""

    def predictions(self, proba):
        from scipy.sparse import csr_matrix

        preds = super().predictions(proba)
        return [csr_matrix(p) for p in preds] if self.multilabel else preds

    name = "classification_change"
    params = {"threshold": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.01,
                            "description": "fraction of changed predictions at most"}}

    def rule(self, num_classes):
        return stopping_criteria().ClassificationChange(num_classes, threshold=self.params["threshold"])
