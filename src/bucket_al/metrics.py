"""Step 11: metrics of one model on the eval split."""

from __future__ import annotations

import numpy as np


def evaluate(y_true: np.ndarray, proba: np.ndarray, label_names: list[str], n_labeled: int, pool_size: int,
             multilabel: bool = False, threshold=None) -> dict:
    """Accuracy, micro- and macro-F1 and each label's F1 of a model's eval predictions. Macro-F1 averages
    the labels present in the eval split, single- and multi-label alike. Single-label: the argmax;
    micro-F1 equals accuracy. Multi-label (``y_true`` a binary indicator matrix): a label is
    predicted where its probability reaches ``threshold``; ``accuracy`` is the subset accuracy (every
    label of a row right), macro-F1 averages the labels present in the eval split, and the Hamming loss
    (the share of wrong label decisions) is added."""
    from sklearn.metrics import accuracy_score, f1_score, hamming_loss

    common = {"n_labeled": int(n_labeled), "share_of_pool": float(n_labeled / pool_size), "n_eval": int(len(y_true))}
    if multilabel:
        y_pred = (np.asarray(proba) >= np.asarray(threshold, dtype=np.float64)).astype(np.int64)
        present = np.flatnonzero(np.asarray(y_true).sum(axis=0) > 0)
        per_label = f1_score(y_true, y_pred, average=None, zero_division=0)
        return {
            "accuracy": float(accuracy_score(y_true, y_pred)),
            "micro_f1": float(f1_score(y_true, y_pred, average="micro", zero_division=0)),
            "macro_f1": float(f1_score(y_true[:, present], y_pred[:, present], average="macro", zero_division=0)),
            "hamming_loss": float(hamming_loss(y_true, y_pred)),
            "per_class_f1": {name: float(f) for name, f in zip(label_names, per_label)},
            "labels_in_eval": int(len(present)), **common,
        }
    y_pred = proba.argmax(axis=1)
    labels = list(range(len(label_names)))
    present = np.unique(y_true).tolist()  # macro-F1: the classes of the eval split, as for multi-label
    per_class = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "micro_f1": float(f1_score(y_true, y_pred, labels=labels, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "per_class_f1": {name: float(f) for name, f in zip(label_names, per_class)},
        "labels_in_eval": len(present), **common,
    }
