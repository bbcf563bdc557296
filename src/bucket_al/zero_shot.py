"""Zero labels: classify by embedding similarity. Each label's name (or its one-line description,
``dataset.label_descriptions``) is embedded with the same encoder, pooling and quantization as the
sentences; a row's scores are its cosine similarities to the labels. Single-label: a softmax of the
similarities over ``zero_shot.temperature`` (the argmax is the most similar label, whatever the
temperature). Multi-label: a label holds where its similarity reaches ``zero_shot.threshold``
(its probability: a sigmoid of (similarity - threshold) / temperature, so 0.5 at the threshold).

The zero-shot model is the 0-label point of every learning curve (``zero_shot/metrics.json``), and
its scores of the pool feed the ``zero_shot`` cold start (bucket_al.strategies.zero_shot).
"""

from __future__ import annotations

import numpy as np


def label_texts(labels: dict, descriptions: dict | None) -> list[str]:
    """The text embedded for each label, in labels.json's order: its description (looked up by the
    label's value or its name) or else its name."""
    by_text = {str(k): str(v) for k, v in (descriptions or {}).items()}
    known = {str(v) for v in labels["values"]} | set(labels["names"])
    stray = [k for k in by_text if k not in known]
    if stray:
        from .errors import ConfigError

        raise ConfigError(f"dataset.label_descriptions: {stray[0]!r} names no label (labels: "
                          f"{', '.join(labels['names'])}; a key is a label's value or its name)")
    return [by_text.get(str(value), by_text.get(name, name)) for value, name in zip(labels["values"], labels["names"])]


def unit_rows(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)


def similarities(X: np.ndarray, label_vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row to every label: rows x labels."""
    return unit_rows(X) @ unit_rows(label_vectors).T


def zero_shot_proba(X: np.ndarray, label_vectors: np.ndarray, multilabel: bool, temperature: float,
                    threshold: float) -> np.ndarray:
    """The zero-shot model's probabilities (the module's docstring)."""
    from scipy.special import expit, softmax

    sim = similarities(X, label_vectors)
    if multilabel:
        return expit((sim - threshold) / temperature)
    return softmax(sim / temperature, axis=1)
