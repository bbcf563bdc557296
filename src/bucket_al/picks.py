"""A picture of what each arm picks: the pool's reduced vectors projected to two dimensions, with
one panel per arm showing its labelled rows coloured by the round they entered."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

BACKGROUND_ROWS = 5000  # pool rows drawn in grey behind the picks (a seeded sample of a big pool)


def project_2d(X: np.ndarray) -> np.ndarray:
    """The first two principal components of ``X`` (deterministic: full SVD)."""
    from sklearn.decomposition import PCA

    return PCA(n_components=2, svd_solver="full").fit_transform(np.asarray(X, dtype=np.float64))


def plot_pick_map(row_id: np.ndarray, X: np.ndarray, manifests: dict[str, pd.DataFrame], path, seed: int) -> None:
    """One panel per arm (``manifests``: arm name -> its last round's cumulative manifest)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .io import atomic_path
    from .rows import aligned

    xy = project_2d(X)
    rng = np.random.default_rng(seed)
    background = rng.choice(len(xy), size=min(BACKGROUND_ROWS, len(xy)), replace=False)
    rounds = max(int(m["round"].max()) for m in manifests.values()) + 1
    cmap = plt.get_cmap("viridis", max(rounds, 2))
    cols = min(4, len(manifests))
    rows = math.ceil(len(manifests) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.4 * rows), squeeze=False, sharex=True, sharey=True)
    for ax, (arm, manifest) in zip(axes.flat, manifests.items()):
        ax.scatter(xy[background, 0], xy[background, 1], s=1, c="0.85", rasterized=True)
        picked = xy[aligned(row_id, manifest["row_id"].to_numpy(), "reduced pool")]
        sc = ax.scatter(picked[:, 0], picked[:, 1], s=6, c=manifest["round"].to_numpy(), cmap=cmap,
                        vmin=-0.5, vmax=rounds - 0.5)
        ax.set_title(f"{arm} ({len(manifest)} rows)", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in list(axes.flat)[len(manifests):]:
        ax.axis("off")
    fig.colorbar(sc, ax=axes, label="round", ticks=range(rounds), shrink=0.8)
    fig.suptitle(f"picks of each arm on the pool (first two principal components of the reduced vectors), seed {seed}",
                 fontsize=10)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
