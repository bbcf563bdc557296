"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from workflow_helpers import layered_config, snakemake


@pytest.fixture(scope="session")
def slice_run(tmp_path_factory):
    """One local run (profiles/default, --cores 2) of the SST-2 slice, from an empty results folder.
    Tests only read it or dry-run against it."""
    results = tmp_path_factory.mktemp("results")
    proc = snakemake(results)
    out = results / layered_config()["experiment"]
    return {"results": results, "out": out, "stdout": proc.stdout + proc.stderr}
