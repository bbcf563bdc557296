"""The self-training learner (``learner: {name: selftrain}``): the fine-tuning learner, plus the
unlabelled rest of the pool. It follows uncertainty-aware self-training (UST, Mukherjee and
Awadallah 2020) in a form sized for a CPU:

1. **Teacher**: the fine-tuning learner trained on the round's gold rows (every ``learner.selftrain``
   key that :class:`~bucket_al.finetune.FinetuneLearner` takes means the same here).
2. **Pseudo-labels**: the teacher predicts a seeded sample of ``unlabelled_rows`` pool rows with
   ``mc_passes`` Monte Carlo dropout passes. Each row's pseudo-label is the argmax of the mean
   probabilities; its uncertainty is BALD, the mutual information between the label and the dropout
   mask (entropy of the mean minus the mean entropy). :func:`pseudo_labels` then takes
   ``per_class`` rows of every pseudo-class (class-balanced: a teacher's majority class would
   otherwise swamp the student), drawn without replacement with probability proportional to
   ``1 - BALD / log(classes)`` (UST's "easy" sampling; ``sampling: confident`` takes the rows with
   the highest mean probability instead).
3. **Student**: initialised from the teacher's weights (as in UST) and trained on gold plus pseudo-
   labelled rows for ``student_epochs`` (at ``student_lr``, default ``lr``), each pseudo-labelled
   row's loss weighted by the teacher's mean probability of its pseudo-label (``weighting:
   confidence``; ``none``: weight 1). With ``iterations`` > 1 the student becomes the next teacher.

What differs from UST: one student fit per iteration instead of UST's many short ones, the
confidence of the mean prediction as the loss weight instead of UST's inverse-variance weight,
and no re-sampling of the unlabelled sample between iterations. Without unlabelled rows (the
ceiling, trained on the whole pool) it is the teacher alone.

The learner declares ``reads_pool = True``: the train rule then gives :meth:`SelfTrainLearner.fit`
the text of the pool rows outside the manifest and outside the seed's stop set. The eval split is
never an input of the train rule. The random twin is trained by the same rule, so it gets exactly
the same treatment as the arm it is paired with.

scikit-learn's ``SelfTrainingClassifier`` and small-text have no uncertainty-aware, class-balanced
self-training of a transformer (the former refits a scikit-learn estimator on thresholded
predictions), hence this module.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..errors import check_choice
from .finetune import FinetuneLearner

log = logging.getLogger(__name__)

SAMPLINGS = ("easy", "confident")
WEIGHTINGS = ("confidence", "none")


def bald(probs: np.ndarray) -> np.ndarray:
    """BALD per row of Monte Carlo probabilities ``(passes, rows, classes)``: the entropy of the
    mean prediction minus the mean entropy of the passes (natural log; 0 when every pass agrees)."""
    def entropy(p):
        return -(p * np.log(np.clip(p, 1e-12, None))).sum(axis=-1)

    return np.clip(entropy(probs.mean(axis=0)) - entropy(probs).mean(axis=0), 0.0, None)


def pseudo_labels(probs: np.ndarray, per_class: int, sampling: str, weighting: str,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pseudo-labelled rows of Monte Carlo probabilities ``(passes, rows, classes)``:
    positions (sorted), pseudo-labels and loss weights. Up to ``per_class`` rows of each
    pseudo-class (all of a class that has fewer). ``easy``: drawn without replacement with
    probability proportional to ``1 - BALD / log(classes)``; ``confident``: the rows with the highest
    mean probability (ties by position). Weights: the mean probability of the pseudo-label
    (``confidence``) or 1 (``none``)."""
    check_choice("learner.selftrain.sampling", "sampling", sampling, SAMPLINGS)
    check_choice("learner.selftrain.weighting", "weighting", weighting, WEIGHTINGS)
    mean = probs.mean(axis=0)
    label = mean.argmax(axis=1)
    confidence = mean[np.arange(len(mean)), label]
    n_classes = probs.shape[2]
    ease = 1.0 - bald(probs) / np.log(n_classes)
    chosen = []
    for c in range(n_classes):
        rows = np.flatnonzero(label == c)
        k = min(per_class, len(rows))
        if k == 0:
            continue
        if sampling == "confident":
            order = np.lexsort((rows, -confidence[rows]))  # highest confidence, then position
            chosen.append(rows[order[:k]])
        else:
            w = np.clip(ease[rows], 1e-12, None)
            chosen.append(rng.choice(rows, size=k, replace=False, p=w / w.sum()))
    pick = np.sort(np.concatenate(chosen)) if chosen else np.array([], dtype=np.int64)
    weight = confidence[pick] if weighting == "confidence" else np.ones(len(pick))
    return pick, label[pick], weight.astype(np.float32)


class SelfTrainLearner(FinetuneLearner):
    """Uncertainty-aware self-training of the fine-tuning learner (module docstring). The checkpoint
    is the student's, in the fine-tuning learner's format; ``learner.json`` also records the
    teacher's and the student's training and the pseudo-labels per class."""

    name = "selftrain"
    multilabel = False  # pseudo-labels are one class per row
    reads_pool = True  # fit() takes the unlabelled pool rows (outside the manifest and the stop set)
    # teacher + Monte Carlo dropout over unlabelled_rows + student: about three fine-tunings
    resources = {"model": {"mem_mb": 8000, "runtime": 540}, "ceiling": {"mem_mb": 16000, "runtime": 1440}}
    params = {
        **FinetuneLearner.params,
        "unlabelled_rows": {"type": "integer", "minimum": 1, "default": 10000,
                            "description": "a seeded sample of the pool rows outside the manifest and the stop set"},
        "mc_passes": {"type": "integer", "minimum": 1, "default": 8,
                      "description": "Monte Carlo dropout passes of the teacher"},
        "per_class": {"type": "integer", "minimum": 1, "default": 1000, "description": "pseudo-labels per class at most"},
        "sampling": {"enum": list(SAMPLINGS), "default": "easy",
                     "description": "easy: drawn with probability 1 - BALD/log(classes); confident: the most confident"},
        "weighting": {"enum": list(WEIGHTINGS), "default": "confidence",
                      "description": "confidence: a pseudo-labelled row's loss weighted by the teacher's mean "
                                     "probability of its label; none"},
        "student_epochs": {"type": "number", "exclusiveMinimum": 0, "default": 1,
                           "description": "over gold + pseudo-labelled rows, from the teacher's weights"},
        "student_lr": {"type": ["number", "null"], "exclusiveMinimum": 0, "default": None, "description": "null: lr"},
        "iterations": {"type": "integer", "minimum": 1, "default": 1,
                       "description": "more: the student becomes the next teacher"},
    }

    def __init__(self, n_classes: int, label_names: list[str] | None = None, seed: int = 0, progress: bool = True,
                 **params):
        super().__init__(n_classes, label_names, seed, progress, **params)
        self.pseudo_index_ = np.array([], dtype=np.int64)  # positions in fit()'s ``unlabelled``
        self.pseudo_label_ = np.array([], dtype=np.int64)
        self.pseudo_weight_ = np.array([], dtype=np.float32)

    def fit(self, X, y, unlabelled=None) -> "SelfTrainLearner":
        """Teacher on ``(X, y)``, then ``iterations`` rounds of pseudo-labelling a seeded sample of
        ``unlabelled`` (texts of pool rows without a label) and training the student on both."""
        super().fit(X, y)  # the teacher
        teacher = dict(self.training)
        texts, y = np.asarray(X, dtype=object), np.asarray(y, dtype=np.int64)
        unlabelled = np.asarray([] if unlabelled is None else unlabelled, dtype=object)
        if len(unlabelled) == 0:
            log.info("no unlabelled rows: the model is the teacher alone")
            self.training = {"teacher": teacher, "iterations": []}
            return self
        p = self.params
        rng = np.random.default_rng([self.seed, 11])
        sample = np.sort(rng.choice(len(unlabelled), size=min(p["unlabelled_rows"], len(unlabelled)), replace=False))
        iterations = []
        for it in range(p["iterations"]):
            started = time.perf_counter()
            probs = self.predict_proba_mc(unlabelled[sample], p["mc_passes"], [self.seed, 11, it])
            pick, label, weight = pseudo_labels(probs, p["per_class"], p["sampling"], p["weighting"], rng)
            counts = np.bincount(label, minlength=self.n_classes)
            log.info("iteration %d: %d pseudo-labels of %d sampled rows (per class %s, mean weight %.3f) in %.1f s",
                     it + 1, len(pick), len(sample), counts.tolist(), float(weight.mean()) if len(weight) else 0.0,
                     time.perf_counter() - started)
            both = np.concatenate([texts, unlabelled[sample[pick]]])
            labels = np.concatenate([y, label])
            weights = np.concatenate([np.ones(len(y), dtype=np.float32), weight])
            losses, seconds, steps = self._train(both, labels, weights, p["student_epochs"],
                                                 p["student_lr"] or p["lr"], rng, what=f"student {it + 1}")
            # the student starts from a trained model, so its loss need not fall: train accuracy on the gold rows
            student = self._check(texts, y, rng, losses, steps, seconds, loss_check=False)
            iterations.append({"pseudo_labels": int(len(pick)), "per_class": counts.tolist(),
                               "mean_weight": float(weight.mean()) if len(weight) else None, "student": student})
            self.pseudo_index_, self.pseudo_label_, self.pseudo_weight_ = sample[pick], label, weight
        self.training = {"teacher": teacher, "unlabelled_rows": int(len(sample)), "iterations": iterations}
        return self
