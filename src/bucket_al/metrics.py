"""Step 11: metrics of one model on the eval split."""

from __future__ import annotations

import numpy as np


def evaluate(y_true: np.ndarray, proba: np.ndarray, label_names: list[str], n_labeled: int, pool_size: int) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    y_pred = proba.argmax(axis=1)
    labels = list(range(len(label_names)))
    per_class = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class_f1": {name: float(f) for name, f in zip(label_names, per_class)},
        "n_labeled": int(n_labeled),
        "share_of_pool": float(n_labeled / pool_size),
        "n_eval": int(len(y_true)),
    }
