"""What a stopping criterion is: a class whose :meth:`Criterion.stop_round` replays the criterion
over an arm's rounds and says at which one it fires. It declares its ``params`` (with defaults,
bucket_al.registry) and ``reads_stop_set``: whether it needs the models' predictions on the seed's
stop set (else it sees only the label counts)."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from ..registry import Plugin


class Criterion(Plugin):
    reads_stop_set = True

    def __init__(self, thresholds: list | None = None, **params):
        self.params = params  # resolved: Criterion.resolve(...) at parse time
        # multi-label: round r's model predicts a label where its probability reaches thresholds[r]
        self.thresholds = thresholds

    @property
    def multilabel(self) -> bool:
        return self.thresholds is not None

    def predictions(self, proba: list[np.ndarray]) -> list[np.ndarray]:
        """Each round's predictions: the argmax class, or (multi-label) the binary label indicators."""
        if self.multilabel:
            return [(np.asarray(p) >= np.asarray(t, dtype=np.float64)).astype(np.int64)
                    for p, t in zip(proba, self.thresholds)]
        return [np.asarray(p).argmax(axis=1) for p in proba]

    @abstractmethod
    def stop_round(self, n_labeled: list[int], proba: list[np.ndarray] | None, next_labeled: int | None) -> int | None:
        """The first round (an index into ``n_labeled``) at which the criterion fires, or None.

        ``n_labeled[r]``: labels of round r; ``proba[r]``: round r's stop-set class probabilities (rows
        in the same order every round; given when ``reads_stop_set``; multi-label: each label's own
        probability); ``next_labeled``: the labels of the round after the last one given (None: there
        is none)."""
