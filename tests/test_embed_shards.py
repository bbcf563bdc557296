"""Integration: encoder.shards splits the embed step into jobs whose merged vectors are the unsharded
run's, bit for bit (the slice's own embeddings), in the same embeddings folder (sharding names nothing)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from workflow_helpers import job_counts, snakemake

pytestmark = pytest.mark.integration


def test_sharded_embedding_equals_the_slices(slice_run, tmp_path):
    results = tmp_path / "results"
    layer = {"encoder": {"shards": 3}}
    proc = snakemake(results, "--until", "embed_merge", extra=layer, tmp=tmp_path)
    counts = job_counts(proc.stdout + proc.stderr)
    assert counts == {"data": 1, "embed_shard": 6, "embed_merge": 2}, counts
    theirs = sorted((slice_run["results"] / "embeddings").rglob("*.parquet"))
    mine = sorted(results.glob("embeddings/**/*.parquet"))
    assert [p.relative_to(results) for p in mine] == [p.relative_to(slice_run["results"]) for p in theirs]
    for a, b in zip(mine, theirs):
        assert pq.read_table(a).equals(pq.read_table(b)), a
    assert not list(results.rglob("shard*.npz"))  # the shards are temporary
