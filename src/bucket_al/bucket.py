"""Step 4: bucket the reduced vectors with seeded k-means."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError


def kmeans(X: np.ndarray, k: int, seed: int, n_init: int, threads: int, fit_sample: int | None = None):
    """Fit k-means; return ``(labels, distance of each row to its centroid)``. ``fit_sample``
    (bucket.fit_sample): fit on a seeded uniform sample of that many rows when the pool has more, then
    give every row the bucket of its nearest centroid (k-means' cost grows with the rows it fits, and
    a jittered large pool can take all its iterations); None fits every row.

    ``threads``: the OpenMP threads of the fit, whatever the job has. scikit-learn's k-means adds up each
    centroid thread by thread, so its result depends on their number (on SST-2's reduced pool, one thread
    instead of two puts up to 5,577 rows in other buckets): the number is part of the method, not of the
    machine (bucket.kmeans_threads; the strategies that cluster in a round job: CLUSTER_THREADS)."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    if k < 1:
        raise ConfigError(f"bucket.k: must be a positive count, got {k}")
    if k > len(X):
        raise ConfigError(f"bucket.k: {k} buckets but only {len(X)} rows to bucket")
    if fit_sample is not None and fit_sample < len(X):
        if fit_sample < k:
            raise ConfigError(f"bucket.fit_sample: {fit_sample} rows to fit {k} buckets (bucket.k); give at least {k}")
        rows = np.sort(np.random.default_rng([seed, 6]).choice(len(X), size=fit_sample, replace=False))
        with threadpool_limits(limits=threads, user_api="openmp"):
            model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X[rows])
        labels = np.concatenate([model.predict(X[s:s + BLOCK]) for s in range(0, len(X), BLOCK)]).astype(np.int64)
    else:
        with threadpool_limits(limits=threads, user_api="openmp"):
            model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)
        labels = model.labels_.astype(np.int64)
    distance = np.linalg.norm(X - model.cluster_centers_[labels], axis=1)
    return labels, distance.astype(np.float32)


# The OpenMP threads of the k-means that a strategy runs inside a round job (recluster; TypiClust's, in
# scikit-activeml): one, as every such result so far was made with (threads.train's default), whatever the job has.
CLUSTER_THREADS = 1
BLOCK = 262_144  # rows per block of the assignment to the nearest centroid (bucket.fit_sample)


def assign_buckets(row_id: np.ndarray, X: np.ndarray, k: int, seed: int, n_init: int, threads: int,
                   fit_sample: int | None = None) -> pd.DataFrame:
    """Bucket assignments: one row per pool row with ``row_id``, ``bucket``, ``distance`` (``threads``:
    bucket.kmeans_threads, see :func:`kmeans`)."""
    labels, distance = kmeans(X, k, seed, n_init, threads, fit_sample)
    return pd.DataFrame({"row_id": np.asarray(row_id, dtype=np.int64), "bucket": labels, "distance": distance})
