"""Integration: the own-data recipe (config/own-data.yaml) end to end from one `text,label` CSV with
no eval file: dataset.eval_fraction splits it, and every output of a run is there."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workflow_helpers import SHARED_SST2, snakemake

pytestmark = pytest.mark.integration


def test_a_text_label_csv_without_an_eval_file_runs_end_to_end(tmp_path):
    rows = pd.read_parquet(SHARED_SST2 / "train.parquet").sample(700, random_state=3)
    csv = tmp_path / "reviews.csv"
    pd.DataFrame({"text": rows["sentence"], "label": rows["label"].map({0: "negative", 1: "positive"})}).to_csv(
        csv, index=False)
    results = tmp_path / "results"
    extra = {"seeds": [0], "dataset": {"files": {"train": str(csv)}}, "bucket": {"k": 5},
             "selection": {"rounds": 2, "arms": ["within_bucket", "entropy"]}, "stopping": {"stop_set": 50}}
    snakemake(results, extra=extra, tmp=tmp_path, configs=["config/own-data.yaml"])
    data = next(results.glob("datasets/reviews-*"))
    pool, eval_ = pd.read_parquet(data / "pool.parquet"), pd.read_parquet(data / "eval.parquet")
    expected = sum(round(0.2 * n) for n in rows["label"].value_counts())  # 0.2 of each label's rows, rounded
    assert (len(pool), len(eval_)) == (700 - expected, expected)
    assert not set(pool["row_id"]) & set(eval_["row_id"])  # the split, recorded by row id
    labels = json.loads((data / "labels.json").read_text())
    assert labels["names"] == ["negative", "positive"] and labels["split"]["eval_rows"] == expected
    out = results / "my-data"
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["arm"]) == {"within_bucket", "entropy", "random", "ceiling", "zero_shot"}
    assert summary["accuracy"].between(0.55, 1.0).all()
    assert json.loads((out / "ceiling/seed0/metrics.json").read_text())["n_eval"] == expected
