"""Cluster resources that grow with the pool (rules/resources.smk: pool_resources): a dry run shows each job's
mem_mb and runtime, from the pool's size known at parse time (rows x dimension x 4 bytes)."""

from __future__ import annotations

import re

import pytest

from bucket_al.config import pool_vectors_mb
from workflow_helpers import layered_config, snakemake

pytestmark = pytest.mark.integration


def declared(dry_run: str) -> dict[str, tuple[int, int]]:
    """{rule: (mem_mb, runtime)} of the first job of each rule in a dry run's job list."""
    out = {}
    for block in re.split(r"\n(?=(?:local)?(?:rule|checkpoint) \w+:)", dry_run):
        m = re.match(r"(?:local)?(?:rule|checkpoint) (\w+):", block)
        mem, runtime = re.search(r"\bmem_mb=(\d+)", block), re.search(r"\bruntime=(\d+)", block)
        if m and mem and runtime and m.group(1) not in out:
            out[m.group(1)] = (int(mem.group(1)), int(runtime.group(1)))
    return out


def test_the_jobs_that_read_the_pool_declare_memory_that_grows_with_it(tmp_path):
    figures = {}
    for rows in (3000, 60000):
        layer = {"dataset": {"limit": {"pool": rows}}}
        proc = snakemake(tmp_path / f"results{rows}", "-n", extra=layer, tmp=tmp_path)
        figures[rows] = declared(proc.stdout + proc.stderr)
        cfg = layered_config()
        cfg["dataset"]["limit"] = {"pool": rows}
        mb = pool_vectors_mb(cfg, tmp_path / "none", tmp_path / "none")
        assert mb == pytest.approx(rows * 384 * 4 / 2**20)  # the packaged MiniLM's 384 dimensions
        assert figures[rows]["reduce"][0] == int(1000 + 2 * mb)  # POOL_COPIES["reduce"]
        assert figures[rows]["ceiling"][0] == max(4000, int(1000 + 3 * mb))  # at least the learner's declaration
    small, large = figures[3000], figures[60000]
    assert large["reduce"][0] > small["reduce"][0] and large["bucket"][0] > small["bucket"][0]
    assert all(large[rule][0] >= small[rule][0] for rule in ("cold_start", "round", "twin", "ceiling"))
