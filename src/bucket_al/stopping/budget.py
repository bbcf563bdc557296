"""A label budget: our own, since small-text's MaxIterations counts iterations, not labels."""

from __future__ import annotations

from .base import Criterion


class Budget(Criterion):
    """Stop at the last round within ``labels`` labels: once they are all spent, or when the next
    round would exceed them."""

    name = "budget"
    reads_stop_set = False
    params = {"labels": {"type": "integer", "minimum": 1, "description": "the labels to spend at most (required)"}}

    def stop_round(self, n_labeled, proba, next_labeled):
        limit = self.params["labels"]
        for r, (n, nxt) in enumerate(zip(n_labeled, [*n_labeled[1:], next_labeled])):
            if n >= limit or (nxt is not None and nxt > limit):
                return r
        return None
