"""Integration: GoEmotions (multi-label) end to end on a slice (tests/configs/goemotions.yaml), and the
parse-time errors of a multi-label config."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workflow_helpers import snakemake

pytestmark = pytest.mark.integration

CONFIGS = ["config/offline.yaml", "config/goemotions.yaml", "tests/configs/goemotions.yaml"]


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
    proc = snakemake(results, "-n", configs=CONFIGS, extra=extra, tmp=tmp_path, check=False)
    assert proc.returncode != 0 and message in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-2000:]
    assert not results.exists()
