"""The seed's stop set: pool rows that no arm and no random twin ever labels, predicted by every
model for the stopping criteria (bucket_al.stopping). A module of its own, so that editing the
criteria never re-draws the stop set and with it every selection and model (bucket_al.provenance)."""

from __future__ import annotations

import numpy as np

from .errors import ConfigError


def draw_stop_set(pool_ids: np.ndarray, size: int, seed: int) -> np.ndarray:
    """The seed's stop set: ``size`` pool rows drawn uniformly (sorted row ids). Its own random
    stream ([seed, 2]), apart from the twin's ([seed, 1])."""
    ids = np.sort(np.asarray(pool_ids, dtype=np.int64))
    if size > len(ids):
        raise ConfigError(f"stopping.stop_set: {size} rows but the pool has only {len(ids)}")
    return np.sort(np.random.default_rng([seed, 2]).choice(ids, size=size, replace=False))
