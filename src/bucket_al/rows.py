"""Row bookkeeping between files: every file carries ``row_id``; these helpers line rows up."""

from __future__ import annotations

import numpy as np
import pandas as pd


def manifest(row_id, round_: int | np.ndarray) -> pd.DataFrame:
    """A manifest: ``row_id`` and the ``round`` each row entered, sorted by round then row id."""
    df = pd.DataFrame({"row_id": np.asarray(row_id, dtype=np.int64)})
    df["round"] = np.broadcast_to(np.asarray(round_, dtype=np.int64), len(df))
    return df.sort_values(["round", "row_id"], kind="stable").reset_index(drop=True)


def aligned(all_ids: np.ndarray, wanted: np.ndarray, source="embeddings") -> np.ndarray:
    """Positions of ``wanted`` row ids within ``all_ids``; fails if any is missing."""
    pos = pd.Index(all_ids).get_indexer(wanted)
    if (pos < 0).any():
        raise ValueError(f"{source}: {int((pos < 0).sum())} row ids are missing (stale file? re-run its rule)")
    return pos


def read_features(path, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """``(row_id, X)`` of what a learner reads (its ``features``): the embedding matrix of an
    embeddings file, or the ``text`` column of a cleaned split as an object array."""
    from .io import read_table, read_vectors

    if kind == "embeddings":
        return read_vectors(path)
    if kind == "text":
        rows = read_table(path, columns=["row_id", "text"])
        return rows["row_id"].to_numpy(), rows["text"].to_numpy(dtype=object)
    raise ValueError(f"unknown feature kind '{kind}' (embeddings or text)")


def write_features(row_id: np.ndarray, X: np.ndarray, kind: str, path) -> None:
    """The rows ``row_id`` of a learner's features, in the form :func:`read_features` reads."""
    from .io import write_table, write_vectors

    if kind == "embeddings":
        write_vectors(row_id, X, path)
    elif kind == "text":
        write_table(pd.DataFrame({"row_id": np.asarray(row_id, dtype=np.int64), "text": X}), path)
    else:
        raise ValueError(f"unknown feature kind '{kind}' (embeddings or text)")


def label_array(labels: pd.Series, n_labels: int, multilabel: bool) -> np.ndarray:
    """A split's ``label`` column as learners take it: one label id per row, or (multi-label: a list of
    label ids per row) a binary indicator matrix, rows x labels, in labels.json's order."""
    if not multilabel:
        return labels.to_numpy(dtype=np.int64)
    Y = np.zeros((len(labels), n_labels), dtype=np.int64)
    for i, ids in enumerate(labels):
        Y[i, np.asarray(ids, dtype=np.int64)] = 1
    return Y


def training_set(row_id: np.ndarray, X: np.ndarray, label_ids: np.ndarray, y_all: np.ndarray,
                 manifest: pd.DataFrame | None):
    """Features and labels of the manifest's rows, or of the whole pool when ``manifest`` is None
    (``label_ids``, ``y_all``: the pool's row ids and their labels, :func:`label_array`)."""
    wanted = label_ids if manifest is None else manifest["row_id"].to_numpy()
    if manifest is not None and manifest["row_id"].duplicated().any():
        raise ValueError("manifest selects a row twice")
    pos = aligned(row_id, wanted)
    # the whole pool in the features' own order (the ceiling): the features as they are, not a copy of them
    features = X if len(pos) == len(X) and (pos == np.arange(len(X))).all() else X[pos]
    return features, y_all[aligned(label_ids, wanted, "pool")]


def selectable(pool_ids: np.ndarray, stop_set_ids: np.ndarray | None) -> np.ndarray:
    """The pool rows an arm or a twin may label: all but the seed's stop set (sorted)."""
    ids = np.sort(np.asarray(pool_ids, dtype=np.int64))
    return ids if stop_set_ids is None else np.setdiff1d(ids, np.asarray(stop_set_ids, dtype=np.int64))


def unlabelled_rows(pool_ids, manifest_ids, stop_set_ids) -> np.ndarray:
    """The pool rows a learner that reads the pool (self-training) may pseudo-label, sorted: outside
    the manifest and the seed's stop set; none for a model of the whole pool (``manifest_ids`` None),
    whose every row is labelled. (The eval split is a separate file that training never reads.)"""
    if manifest_ids is None:
        return np.array([], dtype=np.int64)
    out = np.setdiff1d(np.asarray(pool_ids, dtype=np.int64), np.asarray(manifest_ids, dtype=np.int64))
    return out if stop_set_ids is None else np.setdiff1d(out, np.asarray(stop_set_ids, dtype=np.int64))
