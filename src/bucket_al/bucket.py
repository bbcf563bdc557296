"""Step 4: bucket the reduced vectors with seeded k-means."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError


def kmeans(X: np.ndarray, k: int, seed: int, n_init: int):
    """Fit k-means; return ``(labels, distance of each row to its centroid)``."""
    from sklearn.cluster import KMeans

    if k < 1:
        raise ConfigError(f"bucket.k: must be a positive count, got {k}")
    if k > len(X):
        raise ConfigError(f"bucket.k: {k} buckets but only {len(X)} rows to bucket")
    model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)
    labels = model.labels_.astype(np.int64)
    distance = np.linalg.norm(X - model.cluster_centers_[labels], axis=1)
    return labels, distance.astype(np.float32)


def assign_buckets(row_id: np.ndarray, X: np.ndarray, k: int, seed: int, n_init: int) -> pd.DataFrame:
    """Bucket assignments: one row per pool row with ``row_id``, ``bucket``, ``distance``."""
    labels, distance = kmeans(X, k, seed, n_init)
    return pd.DataFrame({"row_id": np.asarray(row_id, dtype=np.int64), "bucket": labels, "distance": distance})
