"""Step 3: reduce the pool's embeddings to ``dim`` dimensions (PCA by default, UMAP on request)."""

from __future__ import annotations

import logging

import numpy as np

from .errors import ConfigError, check_choice

log = logging.getLogger(__name__)

METHODS = ("pca", "umap")


def reduce(X: np.ndarray, method: str, dim: int, seed: int = 0) -> np.ndarray:
    """Fit the reducer on the pool ``X`` and return the reduced float32 matrix."""
    check_choice("reduce.method", "method", method, METHODS)
    if not 1 <= dim <= X.shape[1]:
        raise ConfigError(f"reduce.dim: {dim} must be between 1 and the embedding size {X.shape[1]}")
    if dim > len(X):
        raise ConfigError(f"reduce.dim: {dim} is larger than the pool ({len(X)} rows)")
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=dim, random_state=seed)
        reduced = pca.fit_transform(X).astype(np.float32)
        log.info("PCA %d -> %d dimensions keeps %.1f%% of the variance", X.shape[1], dim,
                 100 * pca.explained_variance_ratio_.sum())
        return reduced
    try:
        import umap
    except ImportError as exc:
        raise ConfigError("reduce.method: 'umap' needs the umap-learn package (pip install umap-learn)") from exc
    return umap.UMAP(n_components=dim, random_state=seed).fit_transform(X).astype(np.float32)
