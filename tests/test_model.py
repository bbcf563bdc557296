"""The model job (bucket_al.model.run_model) on a tiny pool: what it trains on, what it writes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import bucket_al.model as model_step
from bucket_al.io import read_table, write_json, write_table, write_vector_map
from bucket_al.model import ModelFiles, run_model
from bucket_al.rows import manifest


@pytest.fixture
def files(tmp_path):
    """A 60-row pool (two separable classes), 20 eval rows, a 10-row stop set and a 12-row manifest."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    X = (rng.normal(size=(80, 4)) + y[:, None] * 3).astype(np.float32)
    pool_ids, eval_ids = np.arange(100, 160), np.arange(20)
    write_table(pd.DataFrame({"row_id": pool_ids, "text": "t", "label": y[:60]}), tmp_path / "pool.parquet")
    write_table(pd.DataFrame({"row_id": eval_ids, "text": "t", "label": y[60:]}), tmp_path / "eval.parquet")
    write_vector_map(pool_ids, X[:60], tmp_path / "pool.arrow")
    write_vector_map(eval_ids, X[60:], tmp_path / "eval.arrow")
    write_json({"names": ["neg", "pos"]}, tmp_path / "labels.json")
    write_table(pd.DataFrame({"row_id": pool_ids[::6]}), tmp_path / "stop.parquet")
    free = pool_ids[(pool_ids - 100) % 6 != 0]  # not in the stop set
    chosen = np.concatenate([free[free < 140][:6], free[free >= 140][:6]])  # 6 of each class
    write_table(manifest(chosen, 0), tmp_path / "manifest.parquet")
    return tmp_path, X, pool_ids, chosen


def model_files(tmp, **kw):
    return ModelFiles(learner={"name": "linear", "params": {"C": 0.05, "max_iter": 1000}}, seed=3, unit="random",
                      round=0, pool=str(tmp / "pool.parquet"), features=str(tmp / "pool.arrow"),
                      eval=str(tmp / "eval.parquet"), eval_features=str(tmp / "eval.arrow"),
                      labels=str(tmp / "labels.json"), model=str(tmp / "out/model"), metrics=str(tmp / "out/metrics.json"),
                      **kw)


def test_a_round_model_trains_on_its_manifest_only_and_writes_every_output(files, monkeypatch):
    tmp, X, pool_ids, chosen = files
    seen = []
    real = model_step.make_learner

    def spy(*args, **kwargs):
        learner = real(*args, **kwargs)
        fit = learner.fit
        learner.fit = lambda X_, y_, **kw: seen.append((np.array(X_), np.array(y_))) or fit(X_, y_, **kw)
        return learner

    monkeypatch.setattr(model_step, "make_learner", spy)
    run_model(model_files(tmp, manifest=str(tmp / "manifest.parquet"), stop_set=str(tmp / "stop.parquet"),
                          stop_predictions=str(tmp / "out/stop.parquet"), scores=str(tmp / "out/scores.parquet")))
    (X_fit, y_fit), = seen
    np.testing.assert_array_equal(X_fit, X[np.searchsorted(pool_ids, chosen)])  # the manifest's rows, nothing else
    metrics = json.loads((tmp / "out/metrics.json").read_text())
    assert (metrics["unit"], metrics["seed"], metrics["round"], metrics["n_labeled"], metrics["n_eval"]) == ("random", 3, 0, 12, 20)
    assert metrics["accuracy"] >= 0.9
    stop = read_table(tmp / "out/stop.parquet")
    assert stop["row_id"].tolist() == pool_ids[::6].tolist() and list(stop.columns) == ["row_id", "p_neg", "p_pos"]
    scores = read_table(tmp / "out/scores.parquet")
    assert not set(scores["row_id"]) & set(pool_ids[::6])  # the stop set is never scored
    assert set(scores.loc[scores["labelled"], "row_id"]) == set(chosen)
    assert (tmp / "out/model/learner.json").is_file()


def test_a_full_data_model_trains_on_the_whole_pool_and_writes_no_scores(files):
    tmp, *_ = files
    run_model(model_files(tmp))
    metrics = json.loads((tmp / "out/metrics.json").read_text())
    assert metrics["n_labeled"] == 60 and metrics["share_of_pool"] == 1.0
    assert sorted(p.name for p in (tmp / "out").iterdir()) == ["metrics.json", "model"]


def test_a_job_killed_before_its_end_leaves_no_metrics(files, monkeypatch):
    """metrics.json is written last (see run_model): a model job that dies while scoring the pool
    leaves its model and stop-set predictions but no metrics.json, so Snakemake sees a missing output
    and re-runs it, also for a round that a finished stop_check added to the DAG."""
    tmp, *_ = files

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed while scoring")

    monkeypatch.setattr(model_step, "score_pool", killed)
    with pytest.raises(KeyboardInterrupt):
        run_model(model_files(tmp, manifest=str(tmp / "manifest.parquet"), stop_set=str(tmp / "stop.parquet"),
                              stop_predictions=str(tmp / "out/stop.parquet"), scores=str(tmp / "out/scores.parquet")))
    assert sorted(p.name for p in (tmp / "out").iterdir()) == ["model", "stop.parquet"]
