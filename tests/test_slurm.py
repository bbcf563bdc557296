"""Integration: the SST-2 slice, for one seed, submitted through a real single-node SLURM cluster
(tests/local_slurm.sh: munged, slurmctld, slurmd on this machine) with profiles/slurm and
snakemake-executor-plugin-slurm. Every job must run on the cluster, the seed's small jobs bundled into
one sbatch job (the profile's groups), and the results must equal a local run of the same config. One
seed plans every rule of the slice's DAG (the second seed only repeats them). Needs root (and apt-get
when slurm-wlm/munge are not installed); skipped, with the reason, only where the machine cannot run
SLURM at all."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from workflow_helpers import (
    ROOT,
    assert_same_results,
    job_counts,
    layered_config,
    model_dirs,
    result_files,
    snakemake,
    snakemake_cmd,
)

pytestmark = pytest.mark.integration

CLUSTER_SCRIPT = ROOT / "tests" / "local_slurm.sh"
EXPERIMENT = layered_config()["experiment"]
ONE_SEED = {"seeds": [0]}


def run_one_seed(results, *args, **kwargs):
    """:func:`snakemake` on the slice with ONE_SEED layered on top: every run of this module, on the
    cluster and locally, so none of them plans the second seed."""
    return snakemake(results, *args, extra=ONE_SEED, **kwargs)

# a job's id is an integer, a group job's a uuid
SUBMITTED = re.compile(r"Job (\S+) has been submitted with SLURM jobid (\d+) \(log: (\S+)\)\.")
MAX_SBATCH = 10  # the slice for one seed: the jobs that are not per seed (the zero-shot pair is one group), and the seed's group


def cannot_run_slurm() -> str | None:
    if not sys.platform.startswith("linux"):
        return "a local SLURM cluster needs Linux"
    if os.geteuid() != 0:
        return "the local SLURM cluster runs its daemons as root (SlurmUser=root); not root"
    if not shutil.which("slurmctld") and not shutil.which("apt-get"):
        return "slurm-wlm is not installed and there is no apt-get to install it"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = cannot_run_slurm()
    if reason:
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("slurm")
    ports = {"SLURM_TEST_CTLD_PORT": str(free_port()), "SLURM_TEST_D_PORT": str(free_port())}
    env = {**os.environ, **ports}
    start = subprocess.run([str(CLUSTER_SCRIPT), "start", str(state)], capture_output=True, text=True, env=env)
    try:
        assert start.returncode == 0, f"local SLURM cluster did not start:\n{start.stdout}\n{start.stderr}"
        yield {"state": state, "env": {"SLURM_CONF": str(state / "slurm.conf")}}
    finally:
        subprocess.run([str(CLUSTER_SCRIPT), "stop", str(state)], capture_output=True, text=True, env=env)


def slurm_args(logdir) -> list[str]:
    """profiles/slurm plus what this cluster needs: no accounting database (no account, squeue for
    status), status checks every 10 s while jobs finish (the plugin adds 10 s
    to the interval after each check that finds none finished), and the SLURM logs kept for the assertions."""
    return [
        "--workflow-profile", "profiles/slurm",
        "--slurm-no-account",
        "--slurm-status-command", "squeue",
        "--slurm-init-seconds-before-status-checks", "10",
        "--slurm-logdir", str(logdir),
        "--slurm-keep-successful-logs",
    ]


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory):
    results = tmp_path_factory.mktemp("slurm-results")
    logdir = tmp_path_factory.mktemp("slurm-logs")
    planned = job_counts(run_one_seed(results, "-n", *slurm_args(logdir), env=cluster["env"]).stdout)
    t0 = time.monotonic()
    proc = run_one_seed(results, *slurm_args(logdir), env=cluster["env"])
    wall = time.monotonic() - t0
    out = proc.stdout + proc.stderr
    submitted = [(job, int(slurm_id), log) for job, slurm_id, log in SUBMITTED.findall(out)]
    print(f"SLURM run: {len(submitted)} sbatch jobs, ids {submitted[0][1]}..{submitted[-1][1]}, {wall:.0f} s wall")
    return {"results": results, "out": out, "planned": planned, "submitted": submitted, "logdir": logdir,
            "cluster": cluster}


def test_every_job_ran_as_a_slurm_job_and_a_seed_is_one_sbatch_job(slurm_run):
    submitted, planned = slurm_run["submitted"], slurm_run["planned"]
    assert len(submitted) <= MAX_SBATCH, len(submitted)
    assert len({job for job, _, _ in submitted}) == len(submitted)
    assert len({slurm_id for _, slurm_id, _ in submitted}) == len(submitted)  # one sbatch job each
    groups = [log for _, _, log in submitted if "/group_" in os.fspath(log)]
    seed_groups = [log for log in groups if re.search(r"^localrule bucket:", open(log).read(), flags=re.M)]
    assert len(seed_groups) == 1, groups  # the seed's buckets, stop set, selections and models
    per_rule = {}
    for _, slurm_id, log in submitted:
        log = os.fspath(log)
        assert log.startswith(str(slurm_run["logdir"])) and log.endswith(f"/{slurm_id}.log"), log
        text = open(log).read()
        # every job, alone or in a group, runs in its own snakemake on the node, which names it "localrule"
        rules = re.findall(r"^localrule (\w+):", text, flags=re.M)
        assert rules, f"SLURM log {log} does not show a finished job:\n{text[-2000:]}"
        if "/group_" not in log:
            assert len(rules) == 1 and "1 of 1 steps (100%) done" in text, log
        else:
            assert re.search(rf"{len(rules)} of {len(rules)} steps \(100%\) done", text), log
        for rule in rules:
            per_rule[rule] = per_rule.get(rule, 0) + 1
    # every job of the plan except the target rule `all` (no command, run by snakemake itself) and
    # `stamp` (a localrule: run.json is written on the login node)
    assert per_rule == {r: n for r, n in planned.items() if r not in ("all", "stamp")}


def test_every_output_exists(slurm_run):
    results = slurm_run["results"]
    out = results / EXPERIMENT
    for name in ("summary.csv", "round_table.csv", "auc_table.csv", "round_table.txt", "curve_stats.json",
                 "learning_curve.png"):
        assert (out / name).stat().st_size > 0, name
    # nothing left to do for the same config, locally or on the cluster
    assert job_counts(run_one_seed(results, "-n").stdout) == {}


def test_results_equal_a_local_run(slurm_run, tmp_path):
    local = tmp_path / "local-results"
    run_one_seed(local, tmp=tmp_path)  # profiles/default, --cores 2
    assert_same_results(slurm_run["results"], local)
    # what was compared: every round's manifest and every model's metrics
    cfg = {**layered_config(), **ONE_SEED}
    models = len(model_dirs(cfg))
    files = result_files(slurm_run["results"])
    assert sum(r.endswith("/manifest.parquet") for r in files) == models
    assert sum(r.endswith("/metrics.json") for r in files) == models + len(cfg["seeds"]) + 1  # ceiling, zero-shot


def test_a_failing_job_shows_its_log_and_error_and_keep_going_finishes_the_rest(slurm_run, tmp_path):
    """Runs last: it damages the SLURM run's results on purpose. The scores round 2 of the seed's arm
    selects from are replaced by garbage and that round is forced to run again, so it raises on the
    cluster; two independent metrics files (of the random twin) are deleted, so their round jobs must
    still be redone with --keep-going."""
    results, env = slurm_run["results"], slurm_run["cluster"]["env"]
    out = results / EXPERIMENT
    (out / "within_bucket" / "seed0" / "round1" / "scores.parquet").write_text("not a scores table\n")
    redo = [out / "random" / "seed0" / "round1" / "metrics.json", out / "random" / "seed0" / "round2" / "metrics.json"]
    for path in redo:
        path.unlink()
    logdir = tmp_path / "slurm-logs"
    forced = out / "within_bucket" / "seed0" / "round2" / "manifest.parquet"
    proc = run_one_seed(results, "--keep-going", "--forcerun", str(forced), *slurm_args(logdir), env=env, check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Error in rule round_last" in text, text[-4000:]
    # the failed group job, the SLURM log of its sbatch job and the rule's log are named
    assert "Error in group seed0" in text, text[-4000:]
    assert re.search(rf"log: {logdir}/group_seed0_round_last/\d+\.log", text), text[-4000:]
    assert f"{out}/logs/within_bucket/seed0/round2/round.log" in text
    # the rule's log, printed by show-failed-logs, holds the exception the job raised
    assert "round_last failed" in text and "Traceback" in text and "ArrowInvalid" in text, text[-4000:]
    # the independent jobs ran (on the cluster, each its own group job) and the aggregate did not
    for path in redo:
        assert path.is_file(), path
    assert text.count("has been submitted with SLURM jobid") == 3, text[-4000:]
    assert "rule aggregate:" not in text
    assert not forced.exists()  # no manifest from a failed round
