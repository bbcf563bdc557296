"""Integration: learners side by side (tests/configs/compare.yaml: the slice, 1 seed, the seed's arm
and its twin at 40 and 80 labels; nb, knn, setfit and selftrain trained on the linear learner's
manifests of round 1; nb and knn also on the whole pool)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workflow_helpers import SLICE, job_counts, layered_config, snakemake

pytestmark = pytest.mark.integration

CONFIGS = [*SLICE, "tests/configs/compare.yaml"]
COMPARED = ["nb", "knn", "setfit", "selftrain"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    results = tmp_path_factory.mktemp("compare") / "results"
    snakemake(results, configs=CONFIGS)
    return results, results / "test-compare"


def folders(out):
    """The model folders of compare.rounds [1] for the one seed: the arm's and the twin's."""
    return [out / "within_bucket/seed0/round1", out / "random/seed0/round1"]


def test_learner_table_holds_every_learner_arm_and_label_count(run):
    _, out = run
    table = pd.read_csv(out / "learner_table.csv")
    rounds = table[table["arm"] != "ceiling"]
    assert sorted(rounds["learner"].unique()) == sorted(["linear", *COMPARED])
    for learner in ["linear", *COMPARED]:
        mine = rounds[rounds["learner"] == learner]
        assert sorted(zip(mine["arm"], mine["n_labeled"])) == [("random", 80), ("within_bucket", 80)]
        assert (mine["seeds"] == 1).all() and (mine["cpu_s"] > 0).all()
    full = table[table["arm"] == "ceiling"].set_index("learner")
    assert sorted(full.index) == ["knn", "linear", "nb"]
    assert full.loc["linear", "of_full"] == pytest.approx(1.0)
    text = (out / "learner_table.txt").read_text()
    assert all(name in text.splitlines()[1] for name in ["linear", *COMPARED])
    assert "full data" in text and text.splitlines()[-1].startswith("CPU seconds in all: linear ")


def test_every_compared_learner_trains_on_the_arms_manifest(run):
    _, out = run
    for folder in folders(out):
        manifest = pd.read_parquet(folder / "manifest.parquet")
        own = json.loads((folder / "metrics.json").read_text())
        for learner in COMPARED:
            metrics = json.loads((folder / f"compare/{learner}/metrics.json").read_text())
            assert metrics["n_labeled"] == own["n_labeled"] == len(manifest)
            meta = json.loads((folder / f"compare/{learner}/model/learner.json").read_text())
            assert meta["learner"] == learner
        teacher = json.loads((folder / "compare/selftrain/model/learner.json").read_text())["training"]["teacher"]
        assert teacher["rows"] == len(manifest)


def test_self_training_pseudo_labels_only_unlabelled_pool_rows(run):
    results, out = run
    pool = set(pd.read_parquet(next(results.glob("datasets/*/pool.parquet")), columns=["row_id"])["row_id"])
    stop_set = set(pd.read_parquet(out / "stop_set/seed0.parquet")["row_id"])
    for folder in folders(out):
        manifest = set(pd.read_parquet(folder / "manifest.parquet")["row_id"])
        pseudo = pd.read_parquet(folder / "compare/selftrain/model/pseudo_labels.parquet")
        assert len(pseudo) > 0 and pseudo["row_id"].is_unique
        ids = set(pseudo["row_id"])
        assert ids <= pool and not ids & manifest and not ids & stop_set
        assert pseudo["label"].value_counts().max() <= 40  # learner.selftrain.per_class


def test_a_self_training_learner_reads_the_stop_set_to_leave_it_out(run, tmp_path):
    """Every compared model job of the plan, as Snakemake would run it from scratch: those of a learner
    that reads the unlabelled pool (selftrain) get the seed's stop set, which they must leave out; the
    others do not read it. (That training never sees the eval split: tests/test_model.py.)"""
    results, _ = run
    proc = snakemake(results, "-n", "--forceall", configs=CONFIGS)
    jobs = [j for j in proc.stdout.split("\nrule ")[1:] if j.split(":", 1)[0] == "compare_model"]
    assert len(jobs) == 2 * 4  # compare.rounds: [1], the arm's and the twin's manifest, 4 learners
    for job in jobs:
        inputs = next(line for line in job.splitlines() if line.strip().startswith("input:"))
        selftrain = "compare/selftrain/" in job
        assert ("stop_set/seed0.parquet" in inputs) == selftrain, job


def test_adding_a_learner_schedules_only_its_jobs_and_the_table(run, tmp_path):
    results, _ = run
    cfg = layered_config(("config/config.yaml", *CONFIGS))
    extra = {"compare": {**cfg["compare"], "learners": [*COMPARED, "finetune"]},
             "learner": {**cfg["learner"], "finetune": {"epochs": 1, "min_steps": 8, "max_length": 64}}}
    counts = job_counts(snakemake(results, "-n", configs=CONFIGS, extra=extra, tmp=tmp_path).stdout)
    assert counts == {"compare_model": 2, "learner_table": 1, "stamp": 1, "all": 1}  # run.json: the new config
