"""Integration: a local run of the SST-2 slice killed with SIGKILL in the middle (snakemake and every
job it started: the whole process group), then started again with the same command. The re-run
must finish, must not redo finished jobs, and must leave every output readable and equal to an
uninterrupted run's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pandas as pd
import pytest

from workflow_helpers import ROOT, assert_same_results, files_redone, job_counts, result_files, snakemake, snakemake_cmd

pytestmark = pytest.mark.integration


def count(results, pattern):
    return len(list(results.glob(pattern)))


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """Start the slice, SIGKILL the process group once some rounds have been trained."""
    results = tmp_path_factory.mktemp("killed-results")
    log = open(results.parent / "killed-run.log", "w")
    proc = subprocess.Popen(snakemake_cmd(results), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group: snakemake and its jobs
    deadline = time.monotonic() + 600
    try:
        # mid-run: the embeddings and several models exist, the aggregate does not
        while count(results, "*/*/seed*/round*/model") < 6:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no models after 10 minutes"
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
    time.sleep(1)  # let the kernel reap the killed jobs' files
    before = {rel: p.stat().st_mtime_ns for rel, p in result_files(results).items()}
    return {"results": results, "before": before}


def test_kill_and_resume(killed, slice_run, tmp_path):
    results, before = killed["results"], killed["before"]
    assert not (results / "test-slice" / "summary.csv").exists(), "killed too late: the run had finished"
    assert len(before) >= 10, sorted(before)

    # The killed snakemake could not remove its lock: the same command refuses to start ...
    refused = snakemake(results, check=False)
    assert refused.returncode != 0 and "Directory cannot be locked" in refused.stdout + refused.stderr
    # ... until --unlock (which removes only locks; nothing was running any more)
    snakemake(results, "--unlock")

    # The plan of the re-run: finished jobs are not in it. A job whose files existed when the run was
    # killed may be redone only if snakemake had not recorded it as finished (at most one per running
    # job: --cores 2), thanks to rerun-incomplete from profiles/default. A redone job rewrites its
    # outputs (a file, or a model checkpoint directory and every file in it) and its benchmark file
    # (its log is not in result_files); every other file must keep its mtime.
    dry = snakemake(results, "-n")
    redone_jobs = files_redone(dry.stdout, results, before)
    redone = set().union(*redone_jobs.values())
    print(f"killed with {len(before)} outputs; re-run plans {sum(job_counts(dry.stdout).values())} jobs, "
          f"redoes {sorted(redone_jobs)}")
    assert len(redone_jobs) <= 2, sorted(redone_jobs)

    rerun = snakemake(results)
    assert "accuracy per round" in rerun.stdout + rerun.stderr

    after = result_files(results)
    unchanged = {rel for rel in before if rel not in redone}
    assert all(after[rel].stat().st_mtime_ns == before[rel] for rel in unchanged), [
        rel for rel in unchanged if after[rel].stat().st_mtime_ns != before[rel]
    ]
    # nothing left to do, every output readable, and the same results as an uninterrupted run
    assert job_counts(snakemake(results, "-n").stdout) == {}
    for rel, path in after.items():
        if path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".json":
            json.loads(path.read_text())
    assert assert_same_results(results, slice_run["results"]) == len(after)
