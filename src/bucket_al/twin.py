"""Step 9: the random twin. A module of its own, so that editing how a strategy selects
(select.py) never re-runs the twins, which do not depend on it (bucket_al.provenance)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError
from .rows import manifest


def random_twin(pool_row_ids: np.ndarray, budgets_: list[int], seed: int) -> pd.DataFrame:
    """The random twin's manifest after round ``len(budgets_) - 1``: the first ``budgets_[-1]``
    rows of one seeded permutation of the pool, so every round's twin contains the previous one."""
    ids = np.sort(np.asarray(pool_row_ids, dtype=np.int64))
    if budgets_[-1] > len(ids):
        raise ConfigError(f"selection: budget of {budgets_[-1]} rows but the pool has only {len(ids)}")
    drawn = np.random.default_rng([seed, 1]).permutation(ids)[: budgets_[-1]]
    rounds = np.searchsorted(np.asarray(budgets_), np.arange(len(drawn)), side="right")
    return manifest(drawn, rounds)
