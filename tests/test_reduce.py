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
