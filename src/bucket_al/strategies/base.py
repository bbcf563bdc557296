"""What a query strategy and a cold start are, and what they see.

A query strategy is a class with ``query(ctx, budget) -> row ids``: it picks ``budget`` of the
candidate rows of a :class:`QueryContext` (the unlabelled rows the last model scored). It declares

- ``needs``: the files it reads beyond the scores table (:data:`NEEDS`); the rules give its round
  jobs only those;
- ``params``: its own parameters with their defaults (an arm's ``params``, bucket_al.registry);
- ``settings``: the workflow settings it reads (config keys, e.g. ``bucket.n_init``), which reach
  ``ctx.params`` under their last name; only these reach its jobs, so changing another re-runs none;
- ``multilabel``: it also works on multi-label scores (each label's own probability; the measures are
  then the multi-label ones of :mod:`bucket_al.score`); a strategy that reads the probabilities as one
  distribution over classes declares False.

The uncertainty measure (entropy, margin, least confidence: :data:`bucket_al.score.MEASURES`) is a
choice of the arm, kept apart from how rows are picked, as in small-text's
ConfidenceBasedQueryStrategy: ``ctx.uncertainty`` holds it. A cold start is the same for round 0,
over a :class:`ColdStartContext`. Ties are broken by row id; randomness comes from ``ctx.seed`` only.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..registry import Plugin

# The files a strategy may read beyond the scores table (always given): the seed's buckets, the
# pool's embeddings, its reduced vectors, the input of the learner's output layer (BADGE), the zero-shot
# model's scores of the pool.
NEEDS = frozenset({"buckets", "embeddings", "reduced", "grad_embedding", "zero_shot"})


@dataclass
class QueryContext:
    row_id: np.ndarray  # candidates: the unlabelled rows the last model scored
    proba: np.ndarray  # their class probabilities
    uncertainty: np.ndarray  # the arm's measure, higher = more uncertain
    labelled_row_id: np.ndarray
    labelled_proba: np.ndarray
    seed: int
    m: int
    k: int
    params: dict = field(default_factory=dict)  # the strategy's params and declared settings
    bucket: np.ndarray | None = None  # the candidates' original buckets        (needs "buckets")
    embeddings: np.ndarray | None = None  # their embeddings                    (needs "embeddings")
    labelled_embeddings: np.ndarray | None = None
    reduced: np.ndarray | None = None  # their reduced vectors                  (needs "reduced")
    labelled_reduced: np.ndarray | None = None
    last_layer: np.ndarray | None = None  # the learner's last layer             (needs "grad_embedding")


@dataclass
class ColdStartContext:
    row_id: np.ndarray  # the whole pool less the stop set, sorted
    seed: int
    n: int
    pick: str  # bucket.pick: how the buckets cold start picks n in a bucket
    params: dict = field(default_factory=dict)  # the cold start's params
    buckets: pd.DataFrame | None = None  # row_id, bucket, distance, aligned to row_id (needs "buckets")
    reduced: np.ndarray | None = None  # aligned to row_id                        (needs "reduced")
    zero_shot: pd.DataFrame | None = None  # the zero-shot scores, aligned to row_id (needs "zero_shot")


class QueryStrategy(Plugin):
    """Rounds >= 1 (module docstring)."""

    needs: frozenset = frozenset()
    settings: tuple = ()
    multilabel = True

    @abstractmethod
    def query(self, ctx: QueryContext, budget: int) -> np.ndarray:
        """The ``budget`` candidate row ids to label next (``ctx.row_id``'s values)."""


class ColdStart(Plugin):
    """Round 0 (module docstring)."""

    needs: frozenset = frozenset()
    multilabel = True

    @abstractmethod
    def query(self, ctx: ColdStartContext, budget: int) -> np.ndarray:
        """Round 0's ``budget`` row ids (``ctx.row_id``'s values)."""


def bounded_rows(n: int, max_rows: int, budget: int, seed: int) -> np.ndarray:
    """Positions of the rows a cold start with ``max_rows`` works on: all ``n``, or, above
    ``max(max_rows, budget)``, a seeded uniform sample of that many in order ([seed, 5]: a stream of its own)."""
    limit = max(int(max_rows), budget)
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng([seed, 5]).choice(n, size=limit, replace=False))


def in_order(X: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``X[order]``, without a copy where ``order`` keeps every row in place (the candidates come in row-id
    order): a strategy that reads every candidate's vector holds one copy of the pool's vectors less."""
    return X if (order == np.arange(len(order))).all() else X[order]


def by_uncertainty(ctx: QueryContext) -> np.ndarray:
    """Candidate positions, most uncertain first; ties by row id."""
    return np.lexsort((ctx.row_id, -ctx.uncertainty))


def ranked_frame(ctx: QueryContext) -> pd.DataFrame:
    """The candidates most uncertain first (ties by row id): row_id, entropy (the arm's measure),
    and bucket when the strategy reads the buckets."""
    order = by_uncertainty(ctx)
    frame = pd.DataFrame({"row_id": ctx.row_id[order], "entropy": ctx.uncertainty[order]})
    if ctx.bucket is not None:
        frame["bucket"] = ctx.bucket[order]
    return frame
