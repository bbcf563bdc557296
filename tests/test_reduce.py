"""Step 3: PCA (default) and UMAP reductions, and their config errors."""

from __future__ import annotations

import numpy as np
import pytest

from bucket_al.errors import ConfigError
from bucket_al.reduce import reduce


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(0)
    # 3 directions carry almost all the variance
    basis = rng.normal(size=(3, 40))
    return (rng.normal(size=(400, 3)) * [10, 5, 2]) @ basis + 0.01 * rng.normal(size=(400, 40))


def test_pca_shape_dtype_and_variance(X):
    Y = reduce(X, "pca", 3)
    assert Y.shape == (400, 3) and Y.dtype == np.float32
    # three components reconstruct nearly all of the centred data's spread
    assert Y.var(axis=0).sum() / X.var(axis=0).sum() > 0.999
    np.testing.assert_array_equal(Y, reduce(X, "pca", 3))


def test_umap_shape_and_seeded(X):
    Y = reduce(X, "umap", 2, seed=1)
    assert Y.shape == (400, 2) and Y.dtype == np.float32
    np.testing.assert_array_equal(Y, reduce(X, "umap", 2, seed=1))


@pytest.mark.parametrize("method, dim, message", [
    ("tsne", 2, "reduce.method: unknown method 'tsne'"),
    ("pca", 0, "reduce.dim: 0 must be between 1 and the embedding size 40"),
    ("pca", 41, "reduce.dim: 41 must be between 1 and the embedding size 40"),
])
def test_config_errors(X, method, dim, message):
    with pytest.raises(ConfigError, match=message):
        reduce(X, method, dim)


def test_buckets_of_a_fit_sample_assign_every_row_to_its_nearest_centroid():
    """bucket.fit_sample: k-means fitted on a seeded sample, every row in the bucket of its nearest centroid;
    a sample as large as the pool is the plain fit (the seed's method), the same buckets."""
    import pandas as pd

    from bucket_al.bucket import assign_buckets, kmeans
    from bucket_al.errors import ConfigError

    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 0.3, size=(400, 4)) for c in (0, 3, 6)]).astype(np.float32)
    row_id = np.arange(len(X)) * 2
    plain = assign_buckets(row_id, X, 3, seed=0, n_init=2, threads=1)
    assert assign_buckets(row_id, X, 3, seed=0, n_init=2, threads=1, fit_sample=len(X)).equals(plain)
    sampled = assign_buckets(row_id, X, 3, seed=0, n_init=2, threads=1, fit_sample=60)
    assert sampled.equals(assign_buckets(row_id, X, 3, seed=0, n_init=2, threads=1, fit_sample=60))  # seeded
    # three well-separated blobs: the sample's buckets are the blobs, every row in its own blob's
    assert sampled.groupby("bucket").size().tolist() == [400, 400, 400]
    assert (pd.crosstab(plain["bucket"], sampled["bucket"]).to_numpy().max(axis=1) == 400).all()
    labels, distance = kmeans(X, 3, 0, 2, 1, fit_sample=60)
    centers = np.stack([X[labels == b].mean(axis=0) for b in range(3)])
    assert (np.linalg.norm(X[:, None] - centers[None], axis=2).argmin(axis=1) == labels).all()
    with pytest.raises(ConfigError, match="bucket.fit_sample: 2 rows to fit 3 buckets"):
        kmeans(X, 3, 0, 2, 1, fit_sample=2)


def test_k_means_runs_on_its_own_threads_whatever_the_job_has(monkeypatch):
    """k-means runs on bucket.kmeans_threads whatever threads the job has (snakemake gives a job fewer than
    it asks for under --cores 1). The buckets depend on the number: on SST-2's reduced pool (67,349 rows,
    k 50, seed 4) one thread instead of two puts 5,577 rows in other buckets, a case too large for a unit
    test, so this one checks the threads the fit sees."""
    from sklearn.cluster import KMeans
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    from threadpoolctl import threadpool_limits

    from bucket_al.bucket import assign_buckets

    seen, fit = [], KMeans.fit
    monkeypatch.setattr(KMeans, "fit", lambda self, *a, **k: seen.append(_openmp_effective_n_threads()) or fit(self, *a, **k))
    X = np.random.default_rng(0).normal(size=(300, 4)).astype(np.float32)
    for job_threads in (1, 2, 3):
        with threadpool_limits(limits=job_threads):
            assign_buckets(np.arange(len(X)), X, 5, seed=0, n_init=1, threads=2)
    assert seen == [2, 2, 2]
