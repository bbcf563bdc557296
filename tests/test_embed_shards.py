"""Integration: encoder.shards splits the embed step into jobs whose merged vectors are the unsharded
run's, bit for bit, in the same embeddings folder (sharding names nothing). On 400 rows of the slice's
data (300 pool, 100 eval): the check is the merge of the shards, not the encoder at scale."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from workflow_helpers import job_counts, snakemake

pytestmark = pytest.mark.integration

SMALL = {"dataset": {"limit": {"pool": 300, "eval": 100}}, "stopping": {"stop_set": 50}, "bucket": {"k": 4}}


def test_sharded_embedding_equals_one_job(tmp_path):
    one, sharded = tmp_path / "one", tmp_path / "sharded"
    snakemake(one, "--until", "embed", extra=SMALL, tmp=tmp_path)
    proc = snakemake(sharded, "--until", "embed_merge", extra={**SMALL, "encoder": {"shards": 2}}, tmp=tmp_path)
    counts = job_counts(proc.stdout + proc.stderr)
    assert counts == {"data": 1, "embed_shard": 4, "embed_merge": 2}, counts
    theirs, mine = sorted(one.glob("embeddings/**/*.parquet")), sorted(sharded.glob("embeddings/**/*.parquet"))
    assert len(mine) == 2 and [p.relative_to(sharded) for p in mine] == [p.relative_to(one) for p in theirs]
    for a, b in zip(mine, theirs):
        assert pq.read_table(a).equals(pq.read_table(b)), a
    assert not list(sharded.rglob("shard*.npz"))  # the shards are temporary
