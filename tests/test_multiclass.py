"""Integration: the workflow end to end on a three-class CSV dataset with string labels and
other column names, the seed's two readings and the 'nearest' cold start. The sentences are templated
(positive, negative and neutral phrases) so that a real encoder separates them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workflow_helpers import snakemake

pytestmark = pytest.mark.integration

WORDS = {
    "positive": ["wonderful", "moving", "brilliant", "delightful", "a joy"],
    "negative": ["dreadful", "tedious", "a mess", "painful", "boring"],
    "neutral": ["ninety minutes long", "set in ohio", "shot in color", "released in may", "based on a novel"],
}
SUBJECTS = ["the film", "this movie", "the story", "the picture", "it"]


def sentences(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = rng.choice(list(WORDS), size=n)
    text = [f"{rng.choice(SUBJECTS)} is {rng.choice(WORDS[lab])}" for lab in labels]
    return pd.DataFrame({"review": text, "sentiment": labels})


def test_three_string_classes_from_csv(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    sentences(600, 0).to_csv(data / "train.csv", index=False)
    sentences(150, 1).to_csv(data / "dev.csv", index=False)
    results = tmp_path / "results"
    extra = {
        "experiment": "three",
        "seeds": [0],
        # offline.yaml's label_descriptions name SST-2's labels 0 and 1, which this data set has not
        "dataset": {"data_dir": str(data), "text_column": "review", "label_column": "sentiment",
                    "eval_split": "dev", "limit": {"pool": None}, "label_descriptions": None},
        "bucket": {"k": 6, "pick": "nearest"},
        "selection": {"rounds": 2, "n": 2, "m": 2,
                      "arms": ["within_bucket", "recluster"], "candidate_factor": 5},
        "stopping": {"stop_set": 100},  # of the 600 pool rows
    }
    snakemake(results, extra=extra, tmp=tmp_path, configs=["config/offline.yaml"])

    labels = json.loads(next(results.glob("datasets/*/labels.json")).read_text())
    assert {k: labels[k] for k in ("values", "names", "dropped")} == {
        "values": ["negative", "neutral", "positive"], "names": ["negative", "neutral", "positive"], "dropped": {}}
    # 75 templates for 600 pool rows: the data step warns about the repeats, and about the dev
    # sentences that are also pool sentences, with their counts
    pool_text = sentences(600, 0)["review"]
    assert f"pool split 'train': {int(pool_text.duplicated().sum())} rows repeat the text" in labels["warnings"][1]
    assert labels["warnings"][0].startswith(f"{int(sentences(150, 1)['review'].isin(set(pool_text)).sum())} eval rows "
                                            "have their text in the pool")
    out = results / "three"
    summary = pd.read_csv(out / "summary.csv")
    assert sorted(summary["arm"].unique()) == ["ceiling", "random", "recluster", "within_bucket", "zero_shot"]
    assert summary[~summary["arm"].isin(["ceiling", "zero_shot"])]["n_labeled"].tolist() == [12, 24] * 3
    assert summary[summary["arm"] == "ceiling"]["accuracy"].iloc[0] > 0.9  # three separable classes
    metrics = json.loads((out / "recluster" / "seed0" / "round1" / "metrics.json").read_text())
    assert set(metrics["per_class_f1"]) == {"negative", "neutral", "positive"}
    scored = pd.read_parquet(out / "cold_start" / "buckets" / "seed0" / "round0" / "scores.parquet")
    assert [c for c in scored.columns if c.startswith("p_")] == ["p_negative", "p_neutral", "p_positive"]
    assert scored["entropy"].between(0, np.log(3) + 1e-9).all()
    for arm in ("within_bucket", "recluster", "random"):
        m = pd.read_parquet(out / arm / "seed0" / "round1" / "manifest.parquet")
        assert len(m) == 24 and m["row_id"].is_unique and m["row_id"].between(0, 599).all()
