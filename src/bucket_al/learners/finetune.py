"""The fine-tuning learner: a transformer encoder with a fresh classification head, trained end to
end on the round's sentences (``learner: {name: finetune}``).

Every fit starts from the pretrained weights (never from the last round's model), so each round
is comparable with its random twin. Training is a plain PyTorch loop: AdamW, linear warm-up and
decay, seeded shuffling (optionally grouped by length, which cuts padding), seeded dropout, bf16 or
fp16 autocast on CUDA. After training, :meth:`FinetuneLearner.fit` checks that the model learned
(the loss fell and train accuracy beats the majority class) and raises a :class:`LearnerError`
naming the likely cause otherwise: a silent chance-level model is the classic failure of BERT
fine-tuning.

torch and transformers are imported inside the methods, so choosing ``linear`` never pays for them.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from pathlib import Path

import numpy as np

from ..embed import check_max_length, pick_device, resolve_encoder
from ..errors import BucketALError, ConfigError
from ..hub import from_hub
from .base import EncoderLearner

log = logging.getLogger(__name__)


class LearnerError(BucketALError, RuntimeError):
    """Training finished but the model did not learn; the message names the likely cause."""


# Train accuracy for the learning check is measured on at most this many training rows.
CHECK_ROWS = 2000


def length_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator, group_by_length: bool,
                   window: int = 50) -> list[np.ndarray]:
    """One epoch of training batches (row positions). Rows are shuffled; with ``group_by_length``
    each window of ``window`` batches is sorted by length before it is cut, and the batches are
    shuffled again, so a batch holds sentences of similar length (less padding) while the order
    of batches stays random."""
    order = rng.permutation(len(lengths))
    if not group_by_length:
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    batches = []
    span = batch_size * window
    for start in range(0, len(order), span):
        chunk = order[start:start + span]
        chunk = chunk[np.argsort(-lengths[chunk], kind="stable")]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def learning_failure(losses: list[float], train_accuracy: float, majority: float) -> str | None:
    """Why the run did not learn, or None. It learned when the mean loss of the last tenth of the
    steps is below 90 % of the first tenth's, and train accuracy beats the majority-class share
    by a margin (5 points, or half the room above the majority when that is smaller)."""
    tenth = max(1, len(losses) // 10)
    first, last = float(np.mean(losses[:tenth])), float(np.mean(losses[-tenth:]))
    margin = min(0.05, (1.0 - majority) / 2)
    problems = []
    if not last < 0.9 * first:
        problems.append(f"training loss did not fall ({first:.3f} -> {last:.3f})")
    if not train_accuracy > majority + margin:
        problems.append(f"train accuracy {train_accuracy:.3f} does not beat the majority class "
                        f"({majority:.3f}) by {margin:.3f}")
    return "; ".join(problems) or None


class FinetuneLearner(EncoderLearner):
    """``AutoModelForSequenceClassification`` from ``model`` (hub id, model directory or
    ``package:<module>``; the workflow passes ``encoder.model``), trained on raw sentences.

    Steps: ``max(epochs * ceil(rows / batch_size), min_steps)``, so tiny budgets still get
    enough updates. The checkpoint directory holds the model (safetensors), its tokenizer and
    ``learner.json`` (label names, hyper-parameters, the training summary).
    """

    name = "finetune"
    multilabel = True  # a sigmoid per label, binary cross-entropy (problem_type multi_label_classification)
    params = {
        **EncoderLearner.params,
        "epochs": {"type": "number", "exclusiveMinimum": 0, "default": 3, "description": "passes over the round's rows"},
        "min_steps": {"type": "integer", "minimum": 0, "default": 100,
                      "description": "small budgets still get this many updates"},
        "lr": {"type": "number", "exclusiveMinimum": 0, "default": 2e-5, "description": "AdamW learning rate"},
        "batch_size": {"type": "integer", "minimum": 1, "default": 32, "description": "rows per step"},
        "max_length": {"type": "integer", "minimum": 8, "default": 128, "description": "tokens per sentence at most"},
        "warmup_ratio": {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "default": 0.1,
                         "description": "linear warm-up over this share of the steps"},
        "weight_decay": {"type": "number", "minimum": 0, "default": 0.01,
                         "description": "AdamW weight decay (none on biases and LayerNorm)"},
        "group_by_length": {"type": "boolean", "default": True,
                            "description": "batches of similar length (less padding), in random order"},
        "predict_batch_size": {"type": "integer", "minimum": 1, "default": 128, "description": "rows per batch when predicting"},
    }

    def __init__(self, n_classes: int, label_names: list[str] | None = None, seed: int = 0, progress: bool = True,
                 **params):
        super().__init__(n_classes, label_names, seed, **params)
        self.progress = progress
        self.model = self.tokenizer = self.device = None

    # -- loading ---------------------------------------------------------------------------
    def _load_pretrained(self):
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        spec = self.params["model"]
        if spec is None:
            raise ConfigError(f"learner.{self.name}.model: no model to fine-tune (the workflow passes encoder.model)")
        source = resolve_encoder(spec, f"learner.{self.name}.model")
        id2label = dict(enumerate(self.label_names))

        def load():
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModelForSequenceClassification.from_pretrained(
                source, num_labels=self.n_classes, id2label=id2label,
                problem_type="multi_label_classification" if self.is_multilabel else "single_label_classification",
                label2id={v: k for k, v in id2label.items()})
            return tokenizer, model

        self.tokenizer, self.model = load() if source != spec else from_hub(load, "encoder.model", spec)
        check_max_length(self.params["max_length"], self.tokenizer, self.model.config, f"learner.{self.name}.max_length")
        self.device = pick_device(self.params["device"] or "auto")
        self.model.to(self.device)

    def _autocast(self):
        import torch

        if self.device.type != "cuda":
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype)

    def _lengths(self, texts) -> np.ndarray:
        ids = self.tokenizer(list(texts), truncation=True, max_length=self.params["max_length"])["input_ids"]
        return np.array([len(x) for x in ids])

    def _batch(self, texts):
        return self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.params["max_length"],
                              return_tensors="pt").to(self.device)

    # -- training --------------------------------------------------------------------------
    def fit(self, X, y) -> "FinetuneLearner":
        """Train from the pretrained weights (a fresh head seeded by ``seed``) for
        ``max(epochs * batches, min_steps)`` steps, then check that the model learned."""
        import torch

        texts, y = np.asarray(X, dtype=object), np.asarray(y, dtype=np.int64)
        torch.manual_seed(self.seed)  # the fresh head's initial weights
        self._load_pretrained()
        rng = np.random.default_rng(self.seed)
        losses, seconds, steps = self._train(texts, y, None, self.params["epochs"], self.params["lr"], rng)
        self.training = self._check(texts, y, rng, losses, steps, seconds)
        return self

    def _train(self, texts, y, weights, epochs, lr, rng, what="fine-tune") -> tuple[list[float], float, int]:
        """The training loop, from the model's current weights: AdamW (no decay on biases and
        LayerNorm), linear warm-up and decay over ``max(epochs * batches, min_steps)`` steps, gradient
        clipping. ``weights`` (one per row, or None) weights each row's cross-entropy in its batch.
        Returns the per-step losses, the seconds it took and the number of steps."""
        import torch
        from tqdm.auto import tqdm
        from transformers import get_linear_schedule_with_warmup

        p = self.params
        steps = max(math.ceil(epochs * math.ceil(len(texts) / p["batch_size"])), p["min_steps"])
        lengths = self._lengths(texts)

        no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
        groups = [
            {"params": [w for n, w in self.model.named_parameters() if not n.endswith(no_decay)],
             "weight_decay": p["weight_decay"]},
            {"params": [w for n, w in self.model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
        ]
        optimizer = torch.optim.AdamW(groups, lr=lr)
        schedule = get_linear_schedule_with_warmup(optimizer, round(p["warmup_ratio"] * steps), steps)
        scaler = torch.amp.GradScaler("cuda", enabled=self.device.type == "cuda" and not torch.cuda.is_bf16_supported())
        labels = torch.tensor(y, dtype=torch.float32 if self.is_multilabel else torch.int64)  # multi-label: BCE
        row_weights = None if weights is None else torch.tensor(np.asarray(weights, dtype=np.float32))

        log.info("%s %s on %d rows (%d classes) for %d steps: lr %g, batch %d, warm-up %d, "
                 "torch threads %d, device %s", what, p["model"], len(texts), self.n_classes, steps, lr,
                 p["batch_size"], round(p["warmup_ratio"] * steps), torch.get_num_threads(), self.device)
        self.model.train()
        losses, batches, started = [], [], time.perf_counter()
        log_every = max(1, steps // 20)
        with tqdm(total=steps, unit="step", desc=what, disable=not self.progress, mininterval=5) as bar:
            for step in range(steps):
                if not batches:
                    batches = length_batches(lengths, p["batch_size"], rng, p["group_by_length"])
                idx = batches.pop(0)
                with self._autocast():
                    if row_weights is None:
                        loss = self.model(**self._batch(texts[idx]), labels=labels[idx].to(self.device)).loss
                    else:
                        logits = self.model(**self._batch(texts[idx])).logits.float()
                        each = torch.nn.functional.cross_entropy(logits, labels[idx].to(self.device), reduction="none")
                        w = row_weights[idx].to(self.device)
                        loss = (each * w).sum() / w.sum()
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                scaler.step(optimizer)
                scaler.update()
                schedule.step()
                optimizer.zero_grad(set_to_none=True)
                losses.append(float(loss.detach()))
                bar.update(1)
                if (step + 1) % log_every == 0 or step + 1 == steps:
                    log.info("step %d/%d  loss %.4f (mean of last %d)  lr %.2e", step + 1, steps,
                             np.mean(losses[-log_every:]), min(log_every, len(losses)), schedule.get_last_lr()[0])
        return losses, time.perf_counter() - started, steps

    def _check(self, texts, y, rng, losses, steps, seconds, loss_check=True) -> dict:
        """The training summary, after checking that the model learned: train accuracy (on up to
        :data:`CHECK_ROWS` of ``texts``) beats the majority class and (``loss_check``) the loss fell.
        Raises a :class:`LearnerError` naming the likely cause otherwise."""
        p = self.params
        check = rng.choice(len(texts), size=min(CHECK_ROWS, len(texts)), replace=False)
        if self.is_multilabel:  # per label: right or wrong, against always predicting its commoner value
            train_accuracy = float(((self.predict_proba(texts[check]) >= 0.5) == y[check]).mean())
            prevalence = y.mean(axis=0)
            majority = float(np.maximum(prevalence, 1 - prevalence).mean())
        else:
            train_accuracy = float((self.predict_proba(texts[check]).argmax(axis=1) == y[check]).mean())
            majority = float(np.bincount(y, minlength=self.n_classes).max() / len(y))
        summary = {"rows": len(texts), "steps": steps, "seconds": round(seconds, 1),
                   "loss_first": losses[0], "loss_last": losses[-1], "train_accuracy": train_accuracy,
                   "majority": majority}
        log.info("trained in %.1f s; train accuracy %.4f on %d rows (majority class %.4f)",
                 seconds, train_accuracy, len(check), majority)
        failure = learning_failure(losses if loss_check else [1.0, 0.0], train_accuracy, majority)
        if failure:
            raise LearnerError(
                f"{self.name} did not learn in {steps} steps: {failure}; likely causes: the learning rate "
                f"(learner.{self.name}.lr={p['lr']:g}; 2e-5 to 1e-4 usually works), too few steps "
                f"(learner.{self.name}.epochs / min_steps), or labels that do not match the text "
                f"(dataset.label_column)")
        return summary

    # -- prediction ------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, ``n_classes`` columns: length-sorted batches, dynamic padding,
        inference mode."""
        return self._predict(X, dropout=False)

    def predict_proba_mc(self, X, passes: int, seed) -> np.ndarray:
        """``passes`` stochastic forward passes with dropout on (Monte Carlo dropout, Gal and
        Ghahramani 2016), seeded by ``seed``: an array (passes, rows, n_classes)."""
        import torch

        torch.manual_seed(np.random.SeedSequence(seed).generate_state(1)[0])
        return np.stack([self._predict(X, dropout=True, desc=f"MC dropout {i + 1}/{passes}")
                         for i in range(passes)])

    def _predict(self, X, dropout: bool, desc: str = "predict") -> np.ndarray:
        import torch
        from tqdm.auto import tqdm

        texts = np.asarray(X, dtype=object)
        order = np.argsort(-self._lengths(texts), kind="stable")
        out = np.empty((len(texts), self.n_classes))
        bs = self.params["predict_batch_size"]
        self.model.train(dropout)
        with torch.inference_mode(), self._autocast(), tqdm(total=len(texts), unit="sent", desc=desc,
                                                           disable=not self.progress, mininterval=5) as bar:
            for start in range(0, len(texts), bs):
                idx = order[start:start + bs]
                logits = self.model(**self._batch(texts[idx])).logits.float()
                out[idx] = (torch.sigmoid(logits) if self.is_multilabel else torch.softmax(logits, dim=-1)).cpu().numpy()
                bar.update(len(idx))
        self.model.eval()
        return out

    def predict_proba_and_last_layer(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Class probabilities and, for the same rows, the input of the classification layer (what
        BADGE's gradient embedding is built from), captured with a forward hook on the classifier;
        for a head that reads every token (RoBERTa-style), its first token's vector."""
        captured = []

        def keep_input(_module, inputs):
            x = inputs[0].detach().float()
            captured.append((x[:, 0] if x.ndim == 3 else x).cpu().numpy())

        handle = self.model.classifier.register_forward_pre_hook(keep_input)
        try:
            proba = self.predict_proba(X)
        finally:
            handle.remove()
        order = np.argsort(-self._lengths(np.asarray(X, dtype=object)), kind="stable")  # predict_proba's order
        hidden = np.empty((len(order), captured[0].shape[1]), dtype=np.float32)
        hidden[order] = np.concatenate(captured)
        return proba, hidden

    # -- checkpoint ------------------------------------------------------------------------
    def save_state(self, directory) -> None:
        self.model.save_pretrained(directory, safe_serialization=True)
        self.tokenizer.save_pretrained(directory)

    def load_state(self, directory, device: str | None = None) -> None:
        """``device``: where to load it (default: its own ``device`` parameter, or auto)."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(Path(directory))
        self.model = AutoModelForSequenceClassification.from_pretrained(Path(directory))
        self.device = pick_device(device or self.params["device"] or "auto")
        self.model.to(self.device).eval()
