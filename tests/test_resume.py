"""Integration: a local run of the SST-2 slice with selection.stop on (the rounds grow, one
stop_check checkpoint per arm, seed and round, until the criterion fires), killed with SIGKILL in
the middle (snakemake and every job it started: the whole process group), then started again with
the same command. The re-run must finish, must not redo finished jobs, and must leave every output
readable; every model it trained equals the same model of the uninterrupted fixed-round slice run;
each arm ends exactly where its rule fired, and no job of a later round exists."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pandas as pd
import pytest

from workflow_helpers import (ROOT, ROUND_RULES, files_redone, job_counts, layered_config, model_dirs, planned_jobs,
                              result_files, snakemake, snakemake_cmd)

pytestmark = pytest.mark.integration

MAX_ROUNDS = 5
# On the slice, more than 15 % of the stop set's predictions change between rounds 0 and 1 for most
# arms and seeds, and fewer later: the rule fires at round 1 or 2, before the maximum of 5 (and
# within the fixed slice's 3 rounds, so every model has a fixed-round counterpart).
STOP = {"experiment": "test-stop", "selection": {"rounds": MAX_ROUNDS, "stop": {"criterion": "classification_change",
                                                                                "threshold": 0.15}}}


def count(results, pattern):
    return len(list(results.glob(pattern)))


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """Start the slice with selection.stop, SIGKILL the process group once some models are trained
    and some stop checks done."""
    results = tmp_path_factory.mktemp("killed-results")
    tmp = results.parent
    log = open(tmp / "killed-run.log", "w")
    # lock=True here and below: these runs take Snakemake's lock, as a user's do (its refusal after the
    # kill is tested); the other tests' runs do not (workflow_helpers.snakemake_cmd)
    proc = subprocess.Popen(snakemake_cmd(results, extra=STOP, tmp=tmp, lock=True), cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)  # its own process group
    deadline = time.monotonic() + 600
    try:
        # mid-run: the embeddings, several models and stop checks exist, the aggregate does not
        while count(results, "*/*/seed*/round*/model") < 6 or count(results, "*/stop/*/seed*/round*.json") < 2:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no stop checks after 10 minutes"
            time.sleep(0.5)
        # then, where the window is caught (a few ms), while a round >= 1 model job writes its scores:
        # a round that a finished stop check added to the DAG, killed with part of its outputs written
        # (the case bucket_al.model.run_model writes metrics.json last for)
        until = time.monotonic() + 60
        while time.monotonic() < until and proc.poll() is None and not list(
                results.glob("*/*/seed*/round[1-9]/.scores.parquet.*.tmp")):
            time.sleep(0.002)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
    time.sleep(1)  # let the kernel reap the killed jobs' files
    before = {rel: p.stat().st_mtime_ns for rel, p in result_files(results).items()}
    return {"results": results, "before": before, "tmp": tmp, "out": results / "test-stop"}


@pytest.fixture(scope="module")
def resumed(killed):
    """The killed run, unlocked and resumed (test_kill_and_resume checks how)."""
    results, tmp = killed["results"], killed["tmp"]
    if not (killed["out"] / "summary.csv").exists():
        snakemake(results, "--unlock", extra=STOP, tmp=tmp, lock=True)
        snakemake(results, extra=STOP, tmp=tmp, lock=True)
    return killed


def test_kill_and_resume(killed, slice_run, tmp_path):
    results, before, tmp = killed["results"], killed["before"], killed["tmp"]
    assert not (killed["out"] / "summary.csv").exists(), "killed too late: the run had finished"
    assert len(before) >= 10, sorted(before)

    # The killed snakemake could not remove its lock: the same command refuses to start ...
    refused = snakemake(results, check=False, extra=STOP, tmp=tmp, lock=True)
    assert refused.returncode != 0 and "Directory cannot be locked" in refused.stdout + refused.stderr
    # ... until --unlock (which removes only locks; nothing was running any more)
    snakemake(results, "--unlock", extra=STOP, tmp=tmp, lock=True)

    # The plan of the re-run: finished jobs are not in it. A job whose files existed when the run was
    # killed may be redone only if snakemake had not recorded it as finished (at most one per running
    # job: --cores 2), thanks to rerun-incomplete from profiles/default. A redone job rewrites its
    # outputs (a file, or a model checkpoint directory and every file in it) and its benchmark file
    # (its log is not in result_files); every other file must keep its mtime.
    dry = snakemake(results, "-n", extra=STOP, tmp=tmp, lock=True)
    # a model job killed before its end left no metrics.json: the plan redoes it
    partial = {str(d.parent) for d in killed["out"].glob("*/seed*/round*/model")
               if not (d.parent / "metrics.json").exists()}
    planned = {os.path.dirname(p) for job in planned_jobs(dry.stdout) for p in job["output"]}
    assert partial <= planned, sorted(partial - planned)
    redone_jobs = files_redone(dry.stdout, results, before)
    redone = set().union(*redone_jobs.values())
    print(f"killed with {len(before)} outputs, {len(partial)} model job(s) part-written; re-run plans "
          f"{sum(job_counts(dry.stdout).values())} jobs, redoes {sorted(redone_jobs)}")
    assert len(redone_jobs) <= 2, sorted(redone_jobs)

    rerun = snakemake(results, extra=STOP, tmp=tmp, lock=True)
    assert "accuracy per round" in rerun.stdout + rerun.stderr

    after = result_files(results)
    unchanged = {rel for rel in before if rel not in redone}
    assert all(after[rel].stat().st_mtime_ns == before[rel] for rel in unchanged), [
        rel for rel in unchanged if after[rel].stat().st_mtime_ns != before[rel]
    ]
    # nothing left to do, every output readable, and the same results as an uninterrupted run
    assert job_counts(snakemake(results, "-n", extra=STOP, tmp=tmp, lock=True).stdout) == {}
    for rel, path in after.items():
        if path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".json":
            json.loads(path.read_text())
    # the stop changes how far an arm goes, never what it picks: every model equals the fixed run's
    compared = 0
    for rel in model_dirs(layered_config()):
        mine, fixed = killed["out"] / rel, slice_run["out"] / rel
        if not mine.exists():
            continue
        for name in ("manifest.parquet", "stop_set.parquet"):
            assert (mine / name).read_bytes() == (fixed / name).read_bytes(), f"{rel}/{name}"
        assert json.loads((mine / "metrics.json").read_text()) == json.loads((fixed / "metrics.json").read_text()), rel
        compared += 1
    assert compared >= 10, compared


def decisions(out, arm, seed):
    paths = sorted((out / "stop" / arm / f"seed{seed}").glob("round*.json"), key=lambda p: int(p.stem[5:]))
    return [json.loads(p.read_text()) for p in paths]


def last_round(out, arm, seed):
    checks = decisions(out, arm, seed)
    return checks[-1]["round"] if checks and checks[-1]["stop"] else MAX_ROUNDS - 1


def test_each_arm_stops_where_its_rule_fired_and_no_later_round_exists(resumed):
    out, cfg = resumed["out"], layered_config()
    early = 0
    table = pd.read_csv(out / "stopping.csv")
    for arm in cfg["selection"]["arms"]:
        for seed in cfg["seeds"]:
            checks = decisions(out, arm, seed)
            assert [c["round"] for c in checks] == list(range(len(checks)))
            # checked after every round up to the first firing, and never after it
            assert [c["stop"] for c in checks] in ([False] * (len(checks) - 1) + [True], [False] * (MAX_ROUNDS - 1))
            last = last_round(out, arm, seed)
            early += last < MAX_ROUNDS - 1
            rounds = sorted(int(p.name[5:]) for p in (out / arm / f"seed{seed}").glob("round*"))
            assert rounds == list(range(1, last + 1)), (arm, seed, rounds, last)
            # the hindsight table replays the same rule to the same round
            row = table[(table["criterion"] == "classification_change") & (table["params"] == "threshold=0.15")
                        & (table["arm"] == arm) & (table["seed"] == seed)]
            assert len(row) == 1 and row["stop_round"].iloc[0] == last, row
    assert early >= 1, "the rule never ended the rounds early: the test would check nothing"
    for seed in cfg["seeds"]:  # the random twin goes as far as the furthest arm of its seed
        furthest = max(last_round(out, arm, seed) for arm in cfg["selection"]["arms"])
        assert sorted(int(p.name[5:]) for p in (out / "random" / f"seed{seed}").glob("round*")) == list(
            range(furthest + 1))


def test_fixed_rounds_plan_no_stop_check(slice_run):
    """selection.stop: null keeps the fixed DAG: every round of every arm, and no checkpoint."""
    cfg = layered_config()
    counts = job_counts(snakemake(slice_run["results"], "-n", "--forceall").stdout)
    assert "stop_check" not in counts
    assert sum(counts.get(r, 0) for r in ROUND_RULES) == len(model_dirs(cfg))
    assert counts["ceiling"] == 1 and counts["stop_set"] == len(cfg["seeds"])  # linear: one ceiling (seeded: false)
