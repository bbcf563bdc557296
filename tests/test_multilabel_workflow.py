"""Integration: GoEmotions (multi-label) end to end on a slice (tests/configs/goemotions.yaml), and the
parse-time errors of a multi-label config."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workflow_helpers import ROOT, parse_error, snakemake

pytestmark = pytest.mark.integration

CONFIGS = ["config/offline.yaml", "config/goemotions.yaml", "tests/configs/goemotions.yaml"]
GOEMOTIONS = ROOT.parent / "shared" / "data" / "goemotions"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    results = tmp_path_factory.mktemp("goemotions") / "results"
    proc = snakemake(results, configs=CONFIGS)
    return results, results / "test-goemotions", proc.stdout + proc.stderr


def test_every_model_has_multilabel_metrics_and_tuned_thresholds(run):
    _, out, _ = run
    metrics = json.loads((out / "within_bucket/seed0/round1/metrics.json").read_text())
    assert {"micro_f1", "macro_f1", "hamming_loss", "accuracy", "per_class_f1", "threshold"} <= set(metrics)
    assert len(metrics["per_class_f1"]) == 28 and len(metrics["threshold"]) == 28
    assert 0 < metrics["micro_f1"] < 1 and metrics["n_labeled"] == 160
    ceiling = json.loads((out / "ceiling/seed0/metrics.json").read_text())
    assert ceiling["macro_f1"] > metrics["macro_f1"] - 0.05  # 3,000 rows do at least about as well as 160


def test_tables_use_macro_f1_and_start_from_the_zero_shot_point(run):
    _, out, printed = run
    table = pd.read_csv(out / "round_table.csv")
    assert set(table["metric"]) == {"macro_f1"} and sorted(table["arm"].unique()) == ["entropy", "within_bucket"]
    summary = pd.read_csv(out / "summary.csv")
    zero = summary[summary["arm"] == "zero_shot"].iloc[0]
    assert zero["n_labeled"] == 0 and 0 <= zero["macro_f1"] < 1
    assert "zero-shot (0 labels" in printed and "multi-label: 28 labels" in printed
    scores = pd.read_parquet(out / "cold_start/buckets/seed0/round0/scores.parquet")
    assert len([c for c in scores.columns if c.startswith("p_")]) == 28
    assert scores["entropy"].between(0, 0.7).all()  # the mean binary entropy, at most log 2


@pytest.mark.parametrize("extra, message", [
    ({"learner": {"name": "selftrain"}}, "learner.name: learner 'selftrain' has no multi-label form"),
    ({"selection": {"arms": ["badge"]}}, "selection.arms[0]: arm 'badge': query strategy 'badge' has no multi-label form"),
    ({"compare": {"learners": ["setfit"]}}, "compare.learners: learner 'setfit' has no multi-label form"),
])
def test_what_has_no_multilabel_form_stops_at_parse_time(tmp_path, extra, message):
    results = tmp_path / "results"
    error = parse_error(results, configs=CONFIGS, extra=extra, tmp=tmp_path)
    assert error is not None and message in error, error
    assert not results.exists()


def test_the_labelling_mode_offers_the_experiments_rows_for_a_multilabel_pool(run, tmp_path):
    """The labelling mode on the same GoEmotions slice with its labels hidden, a simulated person answering
    each batch from the file's true labels (``a|b`` cells, as the suggestions are written): every round's
    batch is the experiment's within_bucket round, and every model's stop-set predictions and scores the
    experiment's (tests/test_label_workflow.py does the same for single-label arms)."""
    experiment = run[1]
    names = json.loads(next((run[0] / "datasets").glob("*/labels.json")).read_text())["names"]
    truth = pd.read_parquet(GOEMOTIONS / "train.parquet")["labels"]  # by row id: the file's row order
    folder = tmp_path / "labels"
    layer = {"experiment": "test-label-goemotions", "mode": "label", "seeds": [0],
             "dataset": {"label_column": "not_in_the_file"}, "selection": {"arms": ["within_bucket"]},
             "label": {"folder": str(folder), "names": names}}
    results = tmp_path / "results"
    out = results / "test-label-goemotions" / "label"
    rounds = 2  # tests/configs/goemotions.yaml
    for r in range(rounds):
        proc = snakemake(results, configs=CONFIGS, extra=layer, tmp=tmp_path)
        assert f"Round {r}'s batch is ready" in proc.stdout + proc.stderr
        batch = pd.read_csv(out / f"round{r}" / "batch.csv", keep_default_na=False)
        if r > 0:  # a multi-label model's suggestion: the labels at or above its thresholds
            assert set("|".join(batch["suggestion"]).split("|")) - {""} <= set(names)
        batch["label"] = ["|".join(truth[row]) for row in batch["row_id"]]
        folder.mkdir(exist_ok=True)
        batch[["row_id", "label"]].to_csv(folder / f"round{r}.csv", index=False)
    proc = snakemake(results, configs=CONFIGS, extra=layer, tmp=tmp_path)
    assert "No new batch" in proc.stdout + proc.stderr
    for r in range(rounds):
        mine = out / f"round{r}"
        theirs = experiment / ("cold_start/buckets" if r == 0 else "within_bucket") / "seed0" / f"round{r}"
        manifest = pd.read_parquet(theirs / "manifest.parquet")
        assert sorted(pd.read_parquet(mine / "batch.parquet")["row_id"]) == sorted(
            manifest.loc[manifest["round"] == r, "row_id"]), r
        labelled = pd.read_parquet(mine / "labelled.parquet")
        assert labelled["label"].map(len).gt(0).all()  # every row's labels came back as lists of names
        assert pd.read_parquet(mine / "stop_set.parquet").equals(pd.read_parquet(theirs / "stop_set.parquet")), r
        if (theirs / "scores.parquet").exists():
            assert pd.read_parquet(mine / "scores.parquet").equals(pd.read_parquet(theirs / "scores.parquet")), r
