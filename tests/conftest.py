"""Fixtures shared by the tests: an environment guard for every test, and one run of the slice for
the integration tests."""

from __future__ import annotations

import os

import pytest

from workflow_helpers import layered_config, snakemake

# The README runs the tests on two workers (pytest-xdist, a test file each), so two workflows share the
# two cores and a job's OpenMP threads (k-means, torch) often wait for a core: passive, they sleep
# instead of spinning on the core the other worker needs. Thread counts, and so every result, are
# unchanged. Set here, before any library starts its threads; every snakemake and job inherits it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# Set by a library the first time it is imported or used, in whichever test that is: not the test's
# doing, and meant to stay for the whole process. scikit-learn's os.environ.setdefault values; torch
# inductor's cache folder (torch._inductor.runtime.cache_dir_utils, set on first use; any value).
SET_ON_IMPORT = {"KMP_DUPLICATE_LIB_OK": "True", "KMP_INIT_AT_FORK": "FALSE", "TORCHINDUCTOR_CACHE_DIR": None}


def leaked(before: dict, after: dict) -> list[str]:
    """The variables that differ between two snapshots of os.environ, leaving out pytest's own
    PYTEST_CURRENT_TEST and a library's import-time defaults (SET_ON_IMPORT) added with their value."""
    return sorted(
        k for k in before.keys() | after.keys()
        if before.get(k) != after.get(k) and k != "PYTEST_CURRENT_TEST"
        and not (k not in before and k in SET_ON_IMPORT and SET_ON_IMPORT[k] in (None, after.get(k)))
    )


@pytest.fixture(autouse=True)
def environment_unchanged():
    """Every test leaves os.environ as it found it: a test that changes a variable without restoring
    it fails (naming the variables), and the environment is restored either way, so no change leaks
    into the tests that follow."""
    before = dict(os.environ)
    yield
    changed = leaked(before, dict(os.environ))
    for var in changed:
        if var in before:
            os.environ[var] = before[var]
        else:
            del os.environ[var]
    if changed:
        pytest.fail(f"the test left environment variables changed: {', '.join(changed)}", pytrace=False)


@pytest.fixture(scope="session")
def slice_run(tmp_path_factory):
    """One local run (profiles/default, --cores 2) of the SST-2 slice, from an empty results folder.
    Tests only read it or dry-run against it."""
    results = tmp_path_factory.mktemp("results")
    proc = snakemake(results)
    out = results / layered_config()["experiment"]
    return {"results": results, "out": out, "stdout": proc.stdout + proc.stderr}
