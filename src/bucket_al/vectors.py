"""Your own embeddings (``encoder.vectors``): precomputed vectors read in place of the encoder's, for
users with their own or an API's embeddings, and the way to run a large pool without the encoder.

``encoder.vectors`` maps a split name to a file (``{train: train.npy, validation: validation.parquet}``);
``encoder.vectors_key`` says how a vector finds its row:

- ``row``: by the row's position in the split's file (0-based: the data step's ``row_id``). A ``.npy``
  file's row i is the split file's row i (the array has exactly as many rows as the file); a parquet file
  has a ``row_id`` column (every row of the file once) and a ``vector`` column (a list of numbers), which is
  what this workflow writes itself (``embeddings/.../pool.parquet``).
- ``text``: a parquet file's ``text`` column, cleaned as the data step cleans the split's texts
  (``dataset.lowercase``), and its ``vector`` column; every row's text needs a vector, and the texts the
  split's rows do not have (one file for every split, or a split cut by ``dataset.limit``) are counted in a
  warning.

Checked before they are written where the workflow reads them (one-line errors naming the file and the
row): a file that is missing or of another kind, vectors of uneven or other dimension, rows missing or
extra, NaN or infinite values, a key twice. The embeddings folder is keyed by the files' bytes and the
key (:func:`vectors_key`), like every other input.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError, DataError

KEYS = ("row", "text")
SUFFIXES = (".npy", ".parquet")

log = logging.getLogger(__name__)


def vectors_file(vectors: dict, split: str) -> Path:
    """The file of ``split`` (``encoder.vectors.<split>``), checked to exist and be of a kind we read."""
    if split not in vectors:
        raise ConfigError(f"encoder.vectors: no file for split '{split}' (it names {', '.join(vectors) or 'none'}); "
                          f"add {split}: <file>")
    path = Path(str(vectors[split])).expanduser()
    if not path.is_file():
        raise ConfigError(f"encoder.vectors.{split}: file not found: {path}")
    if path.suffix.lower() not in SUFFIXES:
        raise ConfigError(f"encoder.vectors.{split}: {path}: a {path.suffix or 'suffix-less'} file; "
                          f"give {' or '.join(SUFFIXES)}")
    return path


def vector_dim(path: Path) -> int:
    """The vectors' dimension, from the file's header (``.npy``) or schema (a fixed-size list column),
    else from its first row."""
    if path.suffix.lower() == ".npy":
        shape = _npy_shape(path)
        return int(shape[1])
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    if "vector" not in schema.names:
        raise DataError(f"{path}: no column 'vector' (columns: {', '.join(schema.names)})")
    size = getattr(schema.field("vector").type, "list_size", None)
    if size:
        return int(size)
    first = pq.ParquetFile(path).read_row_group(0, columns=["vector"]).column("vector")
    return len(first[0].as_py()) if len(first) else 0


def _npy_shape(path: Path) -> tuple[int, ...]:
    try:
        array = np.load(path, mmap_mode="r")
    except (ValueError, OSError) as exc:
        raise DataError(f"{path}: unreadable: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.number):
        raise DataError(f"{path}: a {array.ndim}-d array of {array.dtype}; give a 2-d array of numbers (rows x dimension)")
    return array.shape


def vectors_key(vectors: dict, key: str, splits: list[str]) -> str:
    """The embeddings folder's name for these files: ``vectors-`` and a digest of the key and of the bytes
    of each split's file (a file replaced in place, even by an older one, gets its own folder)."""
    from .config import file_digest

    h = hashlib.sha256(key.encode())
    for split in splits:
        h.update(split.encode())
        h.update(file_digest(vectors_file(vectors, split)).encode())
    return f"vectors-{key}-{h.hexdigest()[:8]}"


def read_vectors_file(path: Path, key: str) -> tuple[pd.Series | np.ndarray, np.ndarray]:
    """``(keys, X)``: each vector's key (row positions, or texts as written) and the vectors (float32)."""
    if path.suffix.lower() == ".npy":
        if key != "row":
            raise ConfigError(f"encoder.vectors_key: 'text' needs a parquet file with a text column; {path} is .npy "
                              "(its row i is the split file's row i: use vectors_key: row)")
        _npy_shape(path)
        X = np.load(path, mmap_mode="r")
        return np.arange(len(X), dtype=np.int64), X
    import pyarrow.parquet as pq

    column = "row_id" if key == "row" else "text"
    names = pq.read_schema(path).names
    for needed in (column, "vector"):
        if needed not in names:
            raise DataError(f"{path}: no column '{needed}' (columns: {', '.join(names)}); with vectors_key: {key} "
                            f"a vectors file has the columns {column} and vector")
    table = pq.read_table(path, columns=[column, "vector"])
    vec = table.column("vector").combine_chunks()
    lengths = vec.value_lengths().to_numpy(zero_copy_only=False) if hasattr(vec, "value_lengths") else None
    if lengths is not None and len(lengths) and (lengths != lengths[0]).any():
        i = int(np.flatnonzero(lengths != lengths[0])[0])
        raise DataError(f"{path}: row {i} has a vector of {lengths[i]} numbers, row 0 one of {lengths[0]}")
    dim = int(lengths[0]) if lengths is not None and len(lengths) else int(getattr(vec.type, "list_size", 0))
    X = vec.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False).reshape(len(vec), dim)
    keys = table.column(column).to_numpy(zero_copy_only=False)
    if key == "row":
        if not np.issubdtype(np.asarray(keys).dtype, np.integer):
            raise DataError(f"{path}: column row_id holds {np.asarray(keys).dtype}, not whole numbers")
        keys = np.asarray(keys, dtype=np.int64)
    else:
        keys = pd.Series(keys, dtype=object)
    return keys, X


def vectors_for(rows: pd.DataFrame, path: Path, key: str, *, source_rows: int | None, lowercase: bool,
                dim: int | None = None) -> np.ndarray:
    """The vectors of ``rows`` (row_id, text: a role's cleaned rows), in their order, from ``path``.
    ``source_rows``: the split file's row count (``key: row``: the file must have a vector for each row,
    no more). ``dim``: the dimension the other split's file has. One-line errors naming the file and row."""
    keys, X = read_vectors_file(path, key)
    if dim is not None and X.shape[1] != dim:
        raise DataError(f"{path}: vectors of {X.shape[1]} numbers, but the other split's have {dim}; "
                        "give every split's vectors from the same encoder")
    if key == "row":
        twice = pd.Index(keys)[pd.Index(keys).duplicated()]
        if len(twice):
            raise DataError(f"{path}: row_id {int(twice[0])} has two vectors")
        if source_rows is not None and len(keys) != source_rows:
            what = "missing" if len(keys) < source_rows else "extra"
            raise DataError(f"{path}: {len(keys)} vectors for a split file of {source_rows} rows ({what} rows); "
                            "give one vector per row of the split's file, in its order")
        pos = pd.Index(keys).get_indexer(rows["row_id"].to_numpy(np.int64))
        where = rows["row_id"].to_numpy()
    else:
        from .data import clean_text

        cleaned = keys.map(clean_text) if lowercase else keys.map(lambda t: str(t).strip())
        index = pd.Index(cleaned)
        if index.has_duplicates:
            dup = index[index.duplicated()][0]
            first = np.flatnonzero(index == dup)
            if not all(np.array_equal(X[first[0]], X[j]) for j in first[1:]):
                raise DataError(f"{path}: text {dup!r} has two different vectors (rows {first[0]} and {first[1]})")
            keep = ~index.duplicated()
            index, X = index[keep], np.asarray(X)[keep]
        pos = index.get_indexer(rows["text"].to_numpy())
        where = rows["row_id"].to_numpy()
        unused = len(index) - len(np.unique(pos[pos >= 0]))
        if unused:  # a file of every split's texts, or a split cut by dataset.limit: said, not an error
            log.warning("%s: %d of its %d texts are not among the split's %d rows and are not used", path, unused,
                        len(index), len(rows))
    missing = np.flatnonzero(pos < 0)
    if len(missing):
        raise DataError(f"{path}: no vector for row_id {int(where[missing[0]])} ({len(missing)} rows missing"
                        f"{', by their text' if key == 'text' else ''})")
    out = np.asarray(X[pos], dtype=np.float32)
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():
        raise DataError(f"{path}: the vector of row_id {int(where[np.flatnonzero(bad)[0]])} has NaN or infinite "
                        f"values ({int(bad.sum())} such rows)")
    return out
