"""File helpers. Every writer goes through :func:`atomic_path` (or :func:`atomic_dir` for a
checkpoint directory): the output appears under its final name only once it is complete, so a
crash never leaves a half-written output."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; outputs get the usual mode
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_dir(path):
    """Yield a temporary directory beside ``path``; rename it onto ``path`` on success (an older
    ``path`` is replaced). A checkpoint directory is thus either complete or absent."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_table(df: pd.DataFrame, path) -> None:
    """Write a DataFrame to parquet (no index), atomically."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def read_table(path, columns=None) -> pd.DataFrame:
    return pq.read_table(path, columns=columns).to_pandas()


def vector_table(row_id: np.ndarray, X: np.ndarray) -> pa.Table:
    """A matrix as an Arrow table: ``row_id`` (int64) and ``vector`` (fixed-size list of float32)."""
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim != 2 or len(row_id) != len(X):
        raise ValueError(f"expected {len(row_id)} rows of vectors, got shape {X.shape}")
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(X.reshape(-1)), X.shape[1])
    return pa.table({"row_id": pa.array(np.asarray(row_id, dtype=np.int64)), "vector": vectors})


def write_vectors(row_id: np.ndarray, X: np.ndarray, path) -> None:
    """Write a matrix as parquet (:func:`vector_table`), atomically."""
    table = vector_table(row_id, X)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_vector_map(row_id: np.ndarray, X: np.ndarray, path) -> None:
    """The same matrix as :func:`write_vectors`, as an uncompressed Arrow IPC file (``.arrow``): a job
    maps it in well under a millisecond and reads only the rows it touches (:func:`read_vectors`),
    where decoding the parquet file of a 67,349 x 384 pool takes a second."""
    table = vector_table(row_id, X)
    with atomic_path(path) as tmp:
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=max(len(table), 1))


def read_vectors(path) -> tuple[np.ndarray, np.ndarray]:
    """Read what :func:`write_vectors` (a ``.parquet`` file) or :func:`write_vector_map` (``.arrow``,
    memory-mapped: read-only views, nothing is read until used) wrote: ``(row_id, X)`` with X float32
    of shape (rows, dim)."""
    if str(path).endswith(".arrow"):
        table = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()
    else:
        table = pq.read_table(path)
    ids, col = table.column("row_id"), table.column("vector")
    if col.num_chunks == 1:  # as written: views of the file's buffers, no copy
        ids, col = ids.chunk(0), col.chunk(0)
    else:
        ids, col = ids.combine_chunks(), col.combine_chunks()
    X = col.values.to_numpy(zero_copy_only=False).reshape(-1, col.type.list_size)
    return ids.to_numpy(zero_copy_only=False), X


def write_json(obj, path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_json(path):
    return json.loads(Path(path).read_text())


def parquet_rows(path) -> int:
    """Row count from the parquet footer, without reading the data."""
    return pq.read_metadata(path).num_rows


CHECKPOINT_META = "learner.json"


def write_meta(directory, meta: dict) -> None:
    """A checkpoint directory's ``learner.json``: the learner's name, classes, hyper-parameters."""
    (Path(directory) / CHECKPOINT_META).write_text(json.dumps(meta, indent=2) + "\n")


def read_meta(directory) -> dict:
    path = Path(directory) / CHECKPOINT_META
    if not path.is_file():
        raise FileNotFoundError(f"{directory}: not a checkpoint directory (no {CHECKPOINT_META})")
    return json.loads(path.read_text())


def named_files(named, prefix: str) -> list[str]:
    """The files of every named input ``{prefix}_<i>`` of a step, in order (each one path or a list):
    how the rules pass one input function per arm and seed (rules/common.smk, model_files)."""
    files = []
    for key in named.keys():
        if key.startswith(f"{prefix}_"):
            value = named[key]
            files += [value] if isinstance(value, str) else list(value)
    return files
