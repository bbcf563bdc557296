"""File helpers: vectors, tables, JSON and the atomic writer."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from bucket_al.io import (
    atomic_path,
    parquet_rows,
    read_json,
    read_table,
    read_vectors,
    write_json,
    write_table,
    write_vectors,
)


def test_vectors_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    row_id = np.array([7, 3, 1000, 42, 5], dtype=np.int32)
    X = rng.normal(size=(5, 12))  # float64 in, float32 out
    path = tmp_path / "sub" / "vectors.parquet"
    write_vectors(row_id, X, path)
    got_ids, got_X = read_vectors(path)
    assert got_ids.dtype == np.int64
    assert got_ids.tolist() == [7, 3, 1000, 42, 5]
    assert got_X.dtype == np.float32
    assert got_X.shape == (5, 12)
    np.testing.assert_array_equal(got_X, X.astype(np.float32))
    assert parquet_rows(path) == 5
    assert [p.name for p in path.parent.iterdir()] == ["vectors.parquet"]


def test_write_vectors_shape_mismatch(tmp_path):
    with pytest.raises(ValueError, match=r"expected 3 rows of vectors, got shape \(2, 4\)"):
        write_vectors(np.arange(3), np.zeros((2, 4)), tmp_path / "v.parquet")
    assert list(tmp_path.iterdir()) == []


def test_table_and_json_round_trip(tmp_path):
    df = pd.DataFrame({"row_id": np.array([3, 1], dtype=np.int64), "text": ["b", "a"]})
    write_table(df, tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.parquet"), df, check_dtype=False)
    assert read_table(tmp_path / "t.parquet", columns=["text"])["text"].tolist() == ["b", "a"]
    write_json({"b": [1, 2], "a": None}, tmp_path / "m.json")
    assert read_json(tmp_path / "m.json") == {"a": None, "b": [1, 2]}


def test_atomic_path_success(tmp_path):
    path = tmp_path / "out.txt"
    with atomic_path(path) as tmp:
        assert tmp != path and tmp.parent == path.parent
        tmp.write_text("done")
        assert not path.exists()  # not under its final name until the body ends
    assert path.read_text() == "done"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_path_leaves_nothing_when_body_raises(tmp_path):
    path = tmp_path / "out.txt"
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(path) as tmp:
            tmp.write_text("half written")
            raise RuntimeError("boom")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_old_file_when_body_raises(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(path) as tmp:
            tmp.write_text("new")
            raise KeyboardInterrupt
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_outputs_get_the_usual_permissions_not_private_ones(tmp_path):
    from bucket_al.io import atomic_dir

    mask = os.umask(0o022)
    try:
        write_json({"a": 1}, tmp_path / "m.json")
        with atomic_dir(tmp_path / "model") as d:
            (d / "x").write_text("x")
    finally:
        os.umask(mask)
    assert (tmp_path / "m.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "model").stat().st_mode & 0o777 == 0o755
