"""The SetFit learner (``learner: {name: setfit}``): a sentence encoder fine-tuned contrastively on
pairs of labelled sentences (same label: similar, different labels: dissimilar), then a logistic
regression head on its embeddings. It is built for small label budgets (8 to a few hundred rows).

Training goes through the ``setfit`` package (``setfit.Trainer``, the CosineSimilarityLoss
default), with two changes:

* With ``num_iterations`` set (the default), the pairs are drawn here, seeded: each iteration
  pairs every sentence with one random sentence of its class and one of another class, so a run
  trains on ``2 * num_iterations * rows`` pairs, in memory linear in the rows. (setfit 1.2 builds
  every one of the rows^2/2 pairs first, in an order fixed by seed 42, which is out of reach on a
  full pool.) With ``num_iterations: null``, setfit's own ``sampling_strategy`` draws them.
* The checkpoint holds no pickle: the fine-tuned body is saved with sentence-transformers and the
  head as ``head.npz`` (setfit's ``save_pretrained`` pickles the head with joblib).

After training, :meth:`SetFitLearner.fit` checks that the model learned (train accuracy beats the
majority class, and on runs of 100 steps or more the contrastive loss fell;
:func:`bucket_al.finetune.learning_failure`) and raises a ``LearnerError`` otherwise.
torch, sentence-transformers and setfit are imported inside the methods.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from ..embed import pick_device, resolve_encoder
from ..errors import ConfigError
from ..hub import from_hub
from .base import EncoderLearner, softmax_of_logits, warn_one_class
from .finetune import CHECK_ROWS, LearnerError, learning_failure

log = logging.getLogger(__name__)

SAMPLING_STRATEGIES = ("oversampling", "undersampling", "unique")
# The loss half of the learning check needs this many contrastive steps (tenths of 10 steps); a
# shorter run barely moves the body, and its head on the pretrained embeddings can still be good.
LOSS_CHECK_STEPS = 100


def setfit_failure(losses: list[float], train_accuracy: float, majority: float) -> str | None:
    """:func:`learning_failure` for SetFit: both halves (loss fell, train accuracy beats the
    majority class) from :data:`LOSS_CHECK_STEPS` steps on, the accuracy half only below."""
    if len(losses) < LOSS_CHECK_STEPS:
        losses = [1.0, 0.0]  # stands for "fell": only the accuracy half can fail
    return learning_failure(losses, train_accuracy, majority)


def contrastive_pairs(y: np.ndarray, num_iterations: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Row positions ``(left, right)`` and targets (1.0 same class, 0.0 different) of
    ``2 * num_iterations * len(y)`` pairs: in each iteration every row is paired with a random row
    of its class (itself only when it is alone in its class) and a random row of another class.
    Positive and negative pairs alternate, as in setfit. Needs at least two classes."""
    y = np.asarray(y)
    classes, inverse = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError("contrastive pairs need at least two classes")
    members = [np.flatnonzero(inverse == c) for c in range(len(classes))]
    others = [np.flatnonzero(inverse != c) for c in range(len(classes))]
    rows = np.arange(len(y))
    left, right, target = [], [], []
    for _ in range(num_iterations):
        pos = np.empty(len(y), dtype=np.int64)
        neg = np.empty(len(y), dtype=np.int64)
        for c in range(len(classes)):
            mine = rows[inverse == c]
            same = members[c]
            if len(same) > 1:  # a random other member: draw among len-1 and skip the row itself
                where = np.searchsorted(same, mine)
                draw = rng.integers(0, len(same) - 1, size=len(mine))
                pos[mine] = same[draw + (draw >= where)]
            else:
                pos[mine] = mine
            neg[mine] = others[c][rng.integers(0, len(others[c]), size=len(mine))]
        left.append(np.repeat(rows, 2))
        right.append(np.column_stack([pos, neg]).reshape(-1))
        target.append(np.tile([1.0, 0.0], len(y)))
    return np.concatenate(left), np.concatenate(right), np.concatenate(target)


class SetFitLearner(EncoderLearner):
    """SetFit on ``model`` (a sentence encoder: hub id, model directory or ``package:<module>``;
    the workflow passes ``encoder.model``), trained on raw sentences.

    Contrastive phase: ``epochs`` passes over the pairs in batches of ``batch_size`` pairs, AdamW
    at ``lr`` with ``warmup_ratio`` linear warm-up. Head: scikit-learn logistic regression
    (``head_C``) on the fine-tuned embeddings. ``max_length`` caps tokens per sentence.
    ``device``: auto, cpu or cuda; training runs where the Hugging Face Trainer puts it (a
    visible GPU), so ``cpu`` is refused while a GPU is visible. On the whole pool (the ceiling)
    keep the pairs few, e.g. ``ceiling.params: {num_iterations: 1}``.
    """

    name = "setfit"
    params = {
        **EncoderLearner.params,
        "num_iterations": {"type": ["integer", "null"], "minimum": 1, "default": 5,
                           "description": "each iteration pairs every row with one row of its class and one of "
                                          "another; null: setfit's sampling_strategy, which builds all rows^2/2 pairs"},
        "sampling_strategy": {"enum": list(SAMPLING_STRATEGIES), "default": "oversampling",
                              "description": "setfit's pair sampling, used when num_iterations is null"},
        "epochs": {"type": "integer", "minimum": 1, "default": 1, "description": "passes over the pairs"},
        "batch_size": {"type": "integer", "minimum": 1, "default": 16, "description": "pairs per step"},
        "lr": {"type": "number", "exclusiveMinimum": 0, "default": 2e-5, "description": "the body's learning rate"},
        "warmup_ratio": {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "default": 0.1,
                         "description": "linear warm-up over this share of the steps"},
        "head_C": {"type": "number", "exclusiveMinimum": 0, "default": 1.0,
                   "description": "inverse L2 strength of the logistic-regression head"},
        "max_length": {"type": "integer", "minimum": 8, "default": 128, "description": "tokens per sentence at most"},
        "predict_batch_size": {"type": "integer", "minimum": 1, "default": 128, "description": "rows per batch when embedding"},
    }

    def __init__(self, n_classes: int, label_names: list[str] | None = None, seed: int = 0, progress: bool = True,
                 **params):
        super().__init__(n_classes, label_names, seed, **params)
        self.progress = progress
        self.body = self.coef_ = self.intercept_ = self.classes_ = None

    # -- the body ----------------------------------------------------------------------------
    def _load_body(self, source: str, device: str):
        from sentence_transformers import SentenceTransformer

        body = SentenceTransformer(source, device=device)
        body.max_seq_length = self.params["max_length"]
        return body

    def _pretrained_body(self):
        spec = self.params["model"]
        if spec is None:
            raise ConfigError("learner.setfit.model: no sentence encoder (the workflow passes encoder.model)")
        source = resolve_encoder(spec, key="learner.setfit.model")
        device = str(pick_device(self.params["device"] or "auto"))
        if self.params["device"] == "cpu" and _cuda_visible():
            raise ConfigError("learner.setfit.device: 'cpu' cannot be forced while a GPU is visible (setfit trains "
                              "where the Hugging Face Trainer puts it); hide it with CUDA_VISIBLE_DEVICES=")
        load = lambda: self._load_body(source, device)  # noqa: E731
        return load() if source != spec else from_hub(load, "learner.setfit.model", spec)

    def _embed(self, texts) -> np.ndarray:
        return self.body.encode(list(texts), batch_size=self.params["predict_batch_size"], convert_to_numpy=True,
                                show_progress_bar=False).astype(np.float64)

    # -- training ----------------------------------------------------------------------------
    def _train_body(self, texts: np.ndarray, y: np.ndarray) -> list[float]:
        """The contrastive phase through setfit's Trainer; returns the loss of every step."""
        from datasets import Dataset
        from setfit import SetFitModel, Trainer, TrainingArguments
        from transformers.trainer_callback import ProgressCallback

        p = self.params
        losses: list[float] = []
        rng = np.random.default_rng(self.seed)

        class PairTrainer(Trainer):
            def get_dataset(self, x, labels, args, max_pairs=-1):
                if p["num_iterations"] is None:  # setfit's own sampling_strategy
                    dataset, loss = super().get_dataset(x, labels, args, max_pairs)
                else:
                    left, right, target = contrastive_pairs(np.asarray(labels), p["num_iterations"], rng)
                    xs = np.asarray(x, dtype=object)
                    dataset = Dataset.from_dict({"sentence_1": xs[left].tolist(), "sentence_2": xs[right].tolist(),
                                                 "label": target.tolist()})
                    loss = args.loss(self.model.model_body)
                loss.register_forward_hook(lambda module, inputs, out: losses.append(float(out.detach())))
                return dataset, loss

        with tempfile.TemporaryDirectory(prefix="setfit-") as scratch:
            args = TrainingArguments(
                output_dir=scratch, batch_size=p["batch_size"], num_epochs=p["epochs"],
                num_iterations=p["num_iterations"], sampling_strategy=p["sampling_strategy"],
                body_learning_rate=p["lr"], warmup_proportion=p["warmup_ratio"], max_length=p["max_length"],
                seed=self.seed, report_to="none", save_strategy="no", logging_strategy="no",
                show_progress_bar=self.progress)
            model = SetFitModel(model_body=self.body, model_head=None)
            trainer = PairTrainer(model=model, args=args,
                                  train_dataset=Dataset.from_dict({"text": texts.tolist(), "label": y.tolist()}))
            if not self.progress:
                trainer.st_trainer.remove_callback(ProgressCallback)
            trainer.train_embeddings(texts.tolist(), y.tolist(), args=args)
        return losses

    def _fit_head(self, embeddings: np.ndarray, y: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        head = LogisticRegression(C=self.params["head_C"], max_iter=1000, random_state=self.seed).fit(embeddings, y)
        self.coef_, self.intercept_ = head.coef_, head.intercept_

    def fit(self, X, y) -> "SetFitLearner":
        import torch

        texts, y = np.asarray(X, dtype=object), np.asarray(y, dtype=np.int64)
        p = self.params
        torch.manual_seed(self.seed)
        self.body = self._pretrained_body()
        self.classes_ = np.unique(y)
        majority = float(np.bincount(y, minlength=self.n_classes).max() / len(y))
        if len(self.classes_) == 1:  # no negative pairs and nothing for a head to tell apart
            warn_one_class(self.classes_[0])
            self.coef_, self.intercept_ = np.zeros((1, self._embed(texts[:1]).shape[1])), np.zeros(1)
            self.training = {"rows": len(texts), "steps": 0, "majority": majority}
            return self

        started = time.perf_counter()
        log.info("SetFit on %s: %d rows (%d classes), %s, %d epoch(s) of batches of %d pairs, lr %g, "
                 "torch threads %d, device %s", p["model"], len(texts), len(self.classes_),
                 f"{p['num_iterations']} iterations" if p["num_iterations"] else p["sampling_strategy"],
                 p["epochs"], p["batch_size"], p["lr"], torch.get_num_threads(), self.body.device)
        losses = self._train_body(texts, y)
        body_seconds = time.perf_counter() - started
        self._fit_head(self._embed(texts), y)
        seconds = time.perf_counter() - started

        rng = np.random.default_rng(self.seed)
        check = rng.choice(len(texts), size=min(CHECK_ROWS, len(texts)), replace=False)
        train_accuracy = float((self.predict_proba(texts[check]).argmax(axis=1) == y[check]).mean())
        self.training = {"rows": len(texts), "steps": len(losses), "seconds": round(seconds, 1),
                         "body_seconds": round(body_seconds, 1), "loss_first": losses[0], "loss_last": losses[-1],
                         "train_accuracy": train_accuracy, "majority": majority}
        log.info("trained in %.1f s (%d contrastive steps, loss %.4f -> %.4f); train accuracy %.4f on %d rows "
                 "(majority class %.4f)", seconds, len(losses), losses[0], losses[-1], train_accuracy, len(check),
                 majority)
        failure = setfit_failure(losses, train_accuracy, majority)
        if failure:
            raise LearnerError(
                f"setfit did not learn in {len(losses)} steps: {failure}; likely causes: the learning rate "
                f"(learner.setfit.lr={p['lr']:g}; 1e-5 to 5e-5 usually works), too few pairs "
                f"(learner.setfit.num_iterations / epochs), or labels that do not match the text "
                f"(dataset.label_column)")
        return self

    # -- prediction --------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, ``n_classes`` columns: the head's softmax over the embeddings."""
        z = self._embed(np.asarray(X, dtype=object)) @ self.coef_.T + self.intercept_
        return softmax_of_logits(z, self.classes_, self.n_classes)

    # -- checkpoint --------------------------------------------------------------------------
    def save_state(self, directory) -> None:
        self.body.save(str(directory), create_model_card=False)
        np.savez(directory / "head.npz", coef=self.coef_, intercept=self.intercept_, classes=self.classes_)

    def load_state(self, directory, device: str | None = None) -> None:
        """``device``: where to load it (default: its own ``device`` parameter, or auto)."""
        self.body = self._load_body(str(directory), str(pick_device(device or self.params["device"] or "auto")))
        with np.load(Path(directory) / "head.npz") as f:
            self.coef_, self.intercept_, self.classes_ = f["coef"], f["intercept"], f["classes"]


def _cuda_visible() -> bool:
    import torch

    return torch.cuda.is_available()
