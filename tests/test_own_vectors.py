"""Your own embeddings (encoder.vectors, bucket_al.vectors): each kind of file, each check, and, on the
slice, the experiment run from its own vectors fed back equals the experiment that embedded them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bucket_al.errors import ConfigError, DataError
from bucket_al.vectors import vector_dim, vectors_file, vectors_for
from workflow_helpers import SHARED_SST2, job_counts, parse_error, snakemake

ROWS = pd.DataFrame({"row_id": [0, 2, 3], "text": ["a film", "fine", "bad"]})
X = np.arange(20, dtype=np.float32).reshape(5, 4)


def parquet(path, **columns):
    pq.write_table(pa.table(columns), path)
    return path


def test_a_npy_files_row_i_is_the_split_files_row_i(tmp_path):
    np.save(tmp_path / "v.npy", X)
    got = vectors_for(ROWS, tmp_path / "v.npy", "row", source_rows=5, lowercase=True)
    np.testing.assert_array_equal(got, X[[0, 2, 3]])
    assert vector_dim(tmp_path / "v.npy") == 4
    with pytest.raises(DataError, match=r"v.npy: 5 vectors for a split file of 6 rows \(missing rows\)"):
        vectors_for(ROWS, tmp_path / "v.npy", "row", source_rows=6, lowercase=True)
    with pytest.raises(DataError, match=r"v.npy: 5 vectors for a split file of 4 rows \(extra rows\)"):
        vectors_for(ROWS, tmp_path / "v.npy", "row", source_rows=4, lowercase=True)
    with pytest.raises(ConfigError, match="encoder.vectors_key: 'text' needs a parquet file"):
        vectors_for(ROWS, tmp_path / "v.npy", "text", source_rows=5, lowercase=True)


def test_a_parquet_file_by_row_id_or_by_text(tmp_path, caplog):
    vectors = pa.array(list(X[::-1]), type=pa.list_(pa.float32()))
    by_row = parquet(tmp_path / "r.parquet", row_id=pa.array([4, 3, 2, 1, 0]), vector=vectors)
    np.testing.assert_array_equal(vectors_for(ROWS, by_row, "row", source_rows=5, lowercase=True), X[[0, 2, 3]])
    by_text = parquet(tmp_path / "t.parquet", text=["  BAD", "Fine", "x", "y", "A film"], vector=vectors)
    # cleaned as the data step cleans (lowercase, strip): "A film" -> "a film" is X[0] (the file's last row)
    np.testing.assert_array_equal(vectors_for(ROWS, by_text, "text", source_rows=None, lowercase=True),
                                  X[::-1][[4, 1, 0]])
    # the texts the rows do not have ("x", "y") are not an error, and are said
    assert "t.parquet: 2 of its 5 texts are not among the split's 3 rows and are not used" in caplog.text
    with pytest.raises(DataError, match="t.parquet: no vector for row_id 0 .3 rows missing, by their text"):
        vectors_for(ROWS, by_text, "text", source_rows=None, lowercase=False)


@pytest.mark.parametrize("change, message", [
    (lambda v: v.__setitem__((2, 1), np.nan), "the vector of row_id 2 has NaN or infinite values"),
    (lambda v: v.__setitem__((3, 0), np.inf), "the vector of row_id 3 has NaN or infinite values"),
])
def test_nan_or_infinite_values_name_the_row(tmp_path, change, message):
    bad = X.copy()
    change(bad)
    np.save(tmp_path / "v.npy", bad)
    with pytest.raises(DataError, match=message):
        vectors_for(ROWS, tmp_path / "v.npy", "row", source_rows=5, lowercase=True)
    X_ok = X.copy()
    X_ok[1, 1] = np.nan  # a row the role does not read may hold anything
    np.save(tmp_path / "ok.npy", X_ok)
    vectors_for(ROWS, tmp_path / "ok.npy", "row", source_rows=5, lowercase=True)


def test_uneven_vectors_a_key_twice_and_another_dimension_stop(tmp_path):
    uneven = parquet(tmp_path / "u.parquet", row_id=pa.array([0, 1, 2, 3, 4]),
                     vector=pa.array([[1.0, 2.0]] * 3 + [[1.0]] + [[1.0, 2.0]], type=pa.list_(pa.float32())))
    with pytest.raises(DataError, match="u.parquet: row 3 has a vector of 1 numbers, row 0 one of 2"):
        vectors_for(ROWS, uneven, "row", source_rows=5, lowercase=True)
    twice = parquet(tmp_path / "d.parquet", row_id=pa.array([0, 1, 2, 2, 4]),
                    vector=pa.array(list(X), type=pa.list_(pa.float32())))
    with pytest.raises(DataError, match="d.parquet: row_id 2 has two vectors"):
        vectors_for(ROWS, twice, "row", source_rows=5, lowercase=True)
    np.save(tmp_path / "v.npy", X)
    with pytest.raises(DataError, match="v.npy: vectors of 4 numbers, but the other split's have 8"):
        vectors_for(ROWS, tmp_path / "v.npy", "row", source_rows=5, lowercase=True, dim=8)
    with pytest.raises(ConfigError, match=r"encoder.vectors.validation: file not found"):
        vectors_file({"validation": str(tmp_path / "nope.npy")}, "validation")
    (tmp_path / "v.csv").write_text("1,2\n")
    with pytest.raises(ConfigError, match=r"encoder.vectors.train: .*v.csv: a .csv file; give .npy or .parquet"):
        vectors_file({"train": str(tmp_path / "v.csv")}, "train")
    with pytest.raises(ConfigError, match="encoder.vectors: no file for split 'validation'"):
        vectors_file({"train": str(tmp_path / "v.npy")}, "validation")


@pytest.fixture(scope="module")
def own_vectors(slice_run, tmp_path_factory):
    """The slice's own embeddings as a user's files: train.npy, one vector per row of SST-2's train file
    (the slice's 3,000 rows carry the encoder's vectors, the others zeros the run never reads), and the
    eval rows' parquet (row_id, vector) as the embed step wrote it."""
    tmp = tmp_path_factory.mktemp("own-vectors")
    emb = next(p.parent for p in (slice_run["results"] / "embeddings").rglob("pool.parquet"))
    pool = pd.read_parquet(emb / "pool.parquet")
    full = np.zeros((pq.read_metadata(SHARED_SST2 / "train.parquet").num_rows, 384), dtype=np.float32)
    full[pool["row_id"].to_numpy()] = np.stack(pool["vector"].to_numpy())
    np.save(tmp / "train.npy", full)
    (tmp / "validation.parquet").write_bytes((emb / "eval.parquet").read_bytes())
    return {"train": str(tmp / "train.npy"), "validation": str(tmp / "validation.parquet")}


def test_the_experiment_from_its_own_vectors_equals_the_one_that_embedded_them(slice_run, own_vectors, tmp_path):
    """Same vectors, same experiment: seed 0's within_bucket rounds and twins give the slice's manifests and
    metrics; the encoder never runs (no embed job), and the tables say why there is no zero-shot point."""
    results = tmp_path / "results"  # its own: the slice's folder is only read
    layer = {"experiment": "test-own-vectors", "seeds": [0], "selection": {"arms": ["within_bucket"]},
             "encoder": {"vectors": own_vectors}}
    proc = snakemake(results, extra=layer, tmp=tmp_path)
    counts = job_counts(proc.stdout + proc.stderr)
    assert counts["own_vectors"] == 2 and "embed" not in counts and "zero_shot" not in counts, counts
    mine, theirs = results / "test-own-vectors", slice_run["out"]
    folders = ["cold_start/buckets/seed0/round0", *(f"within_bucket/seed0/round{r}" for r in (1, 2)),
               *(f"random/seed0/round{r}" for r in range(3))]
    for folder in folders:
        assert pd.read_parquet(mine / folder / "manifest.parquet").equals(
            pd.read_parquet(theirs / folder / "manifest.parquet")), folder
        a, b = (json.loads((d / folder / "metrics.json").read_text()) for d in (mine, theirs))
        assert a["accuracy"] == b["accuracy"], folder
    assert "no zero-shot point: encoder.vectors" in (mine / "round_table.txt").read_text()
    # the same command again plans nothing
    assert job_counts(snakemake(results, "-n", extra=layer, tmp=tmp_path).stdout) == {}


@pytest.mark.parametrize("layer, message", [
    (lambda own: {"encoder": {"vectors": {"train": own["train"]}}}, "encoder.vectors: no file for split 'validation'"),
    (lambda own: {"encoder": {"vectors": own}, "reduce": {"dim": 500}},
     "reduce.dim: 500 dimensions, but encoder.vectors have 384; use at most 384"),
    (lambda own: {"encoder": {"vectors": own, "quantize": "int8"}},
     "encoder.quantize: quantizes the encoder, but encoder.vectors gives the vectors"),
    (lambda own: {"encoder": {"vectors": own},
                  "selection": {"arms": [{"name": "zs", "cold_start": "zero_shot", "query": "within_bucket"}]}},
     "selection.arms: 'zs' needs the zero-shot model"),
])
def test_own_vectors_that_cannot_work_stop_at_parse_time(own_vectors, tmp_path, layer, message):
    results = tmp_path / "results"
    error = parse_error(results, extra={"experiment": "test-own-vectors-bad", **layer(own_vectors)}, tmp=tmp_path)
    assert error is not None and message in error, error
    assert not results.exists()
