"""Integration: the fine-tuning learner through the whole workflow (tests/configs/finetune.yaml:
600 SST-2 pool rows, budgets 64 and 128, two seeds, the packaged MiniLM fine-tuned on CPU)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bucket_al.learners import load_learner
from workflow_helpers import ROUND_RULES, SHARED_SST2, SLICE, job_counts, snakemake

pytestmark = pytest.mark.integration

CONFIGS = [*SLICE, "tests/configs/finetune.yaml"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    results = tmp_path_factory.mktemp("finetune") / "results"
    proc = snakemake(results, configs=CONFIGS)
    return results, results / "test-finetune", proc


def test_every_model_is_a_checkpoint_directory_with_metrics(run):
    results, out, _ = run
    names = json.loads(next(results.glob("datasets/*/labels.json")).read_text())["names"]
    summary = pd.read_csv(out / "summary.csv")
    assert sorted(summary["arm"].unique()) == ["badge", "ceiling", "random", "within_bucket", "zero_shot"]
    assert summary[~summary["arm"].isin(["ceiling", "zero_shot"])]["n_labeled"].tolist() == [64, 128] * 6
    assert summary[summary["arm"] == "ceiling"][["seed", "n_labeled"]].values.tolist() == [[0, 600]]
    models = sorted(out.rglob("model"))
    assert len(models) == 11  # per seed: the bucketed round 0, two twin rounds, a round 1 of each arm; the ceiling
    for model in models:
        meta = json.loads((model / "learner.json").read_text())
        assert meta["learner"] == "finetune" and meta["label_names"] == names
        assert (model / "model.safetensors").is_file() and (model / "tokenizer.json").is_file()
        assert meta["training"]["train_accuracy"] > meta["training"]["majority"]
    ceiling = json.loads((out / "ceiling/seed0/model/learner.json").read_text())
    assert ceiling["params"]["epochs"] == 1 and ceiling["training"]["steps"] == 38  # ceil(600 / 16)


def test_scores_a_seeded_sample_and_records_it(run):
    _, out, _ = run
    scores = pd.read_parquet(out / "cold_start/buckets/seed0/round0/scores.parquet")
    manifest = pd.read_parquet(out / "cold_start/buckets/seed0/round0/manifest.parquet")
    assert set(scores.loc[scores["labelled"], "row_id"]) == set(manifest["row_id"])  # the 64 labelled rows ...
    table = scores[~scores["labelled"]]
    assert len(table) == 300  # ... and score.pool_sample of the 536 unselected rows
    picked = pd.read_parquet(out / "within_bucket/seed0/round1/manifest.parquet")
    new = set(picked["row_id"]) - set(manifest["row_id"])
    assert len(new) == 64 and new <= set(table["row_id"])  # round 1 selects from the sample
    metrics = json.loads((out / "within_bucket/seed0/round1/metrics.json").read_text())
    assert metrics["score_pool_sample"] == 300 and metrics["selected_from_rows"] == 300
    assert json.loads((out / "random/seed0/round1/metrics.json").read_text())["score_pool_sample"] is None


def test_badge_reads_the_fine_tuned_models_last_layer(run):
    """BADGE on a fine-tuned model: its round 0 (the random cold start, the twin's model) is scored with
    the classifier's input vectors, and round 1 adds exactly its budget from the scored rows."""
    results, out, _ = run
    scores = pd.read_parquet(out / "random/seed0/round0/scores.parquet")
    from bucket_al.io import read_vectors

    row_id, hidden = read_vectors(out / "random/seed0/round0/last_layer.parquet")
    assert row_id.tolist() == scores["row_id"].tolist() and hidden.shape == (len(scores), 384)
    assert np.isfinite(hidden).all() and hidden.std() > 0
    previous = pd.read_parquet(out / "random/seed0/round0/manifest.parquet")
    picked = pd.read_parquet(out / "badge/seed0/round1/manifest.parquet")
    new = set(picked["row_id"]) - set(previous["row_id"])
    assert len(picked) == 128 and len(new) == 64 and new <= set(scores.loc[~scores["labelled"], "row_id"])


def test_checkpoint_reloads_to_the_scored_probabilities(run):
    results, out, _ = run
    table = pd.read_parquet(out / "cold_start/buckets/seed1/round0/scores.parquet")
    pool = pd.read_parquet(next(results.glob("datasets/*/pool.parquet"))).set_index("row_id")
    model = load_learner(out / "cold_start/buckets/seed1/round0/model")
    proba = model.predict_proba(pool.loc[table["row_id"], "text"].to_numpy(dtype=object))
    # float32 in the table; batches of other lengths pad differently, hence the tolerance
    np.testing.assert_allclose(proba[:, 1], table.filter(like="p_").iloc[:, 1], atol=1e-5)


def test_same_seed_gives_the_same_model(run, tmp_path):
    """Round 0's fine-tuned model, trained again from the same rows and seed (in a copy of the results, its
    job forced), scores the pool byte for byte as before: the same scores give round 1 the same rows."""
    import shutil

    results, out, _ = run
    again = tmp_path / "again"
    shutil.copytree(results, again)
    rel = "test-finetune/cold_start/buckets/seed0/round0"
    (again / rel / "scores.parquet").unlink()
    proc = snakemake(again, f"{again}/{rel}/scores.parquet", "--forcerun", "cold_start", configs=CONFIGS)
    assert job_counts(proc.stdout + proc.stderr) == {"cold_start": 1}
    for name in ("manifest.parquet", "scores.parquet", "stop_set.parquet"):
        assert (again / rel / name).read_bytes() == (results / rel / name).read_bytes(), name


def test_a_learner_parameter_re_runs_models_not_embeddings(run, tmp_path):
    results, _, _ = run
    proc = snakemake(results, "-n", configs=CONFIGS, extra={"learner": {"finetune": {"lr": 5.0e-5}}}, tmp=tmp_path)
    counts = job_counts(proc.stdout)
    assert sum(counts.get(r, 0) for r in ROUND_RULES) == 10 and counts["ceiling"] == 1
    assert not {"data", "embed", "reduce", "bucket"} & set(counts)


def test_badge_on_the_fine_tuned_model_drives_the_labelling_mode(run, tmp_path):
    """The labelling mode with BADGE on a learner that reads text: each round's fine-tuned model writes its
    last layer beside its scores, and with round 0's rows labelled from SST-2's truth, round 0 offers the
    random cold start's rows and round 1 BADGE's rows of the experiment, from the same scores and last layer."""
    results, out, _ = run
    truth = pd.read_parquet(SHARED_SST2 / "train.parquet")["label"].to_numpy()  # by row id
    folder = tmp_path / "labels"
    layer = {"experiment": "test-finetune-label", "mode": "label", "seeds": [0],
             "dataset": {"label_column": "not_in_the_file"}, "selection": {"arms": ["badge"], "rounds": 2},
             "label": {"folder": str(folder), "names": ["0", "1"]}}
    label = results / "test-finetune-label" / "label"
    snakemake(results, configs=CONFIGS, extra=layer, tmp=tmp_path)  # round 0's batch
    batch = pd.read_csv(label / "round0" / "batch.csv")
    batch["label"] = [str(truth[row]) for row in batch["row_id"]]
    folder.mkdir()
    batch.to_csv(folder / "round0.csv", index=False)
    proc = snakemake(results, configs=CONFIGS, extra=layer, tmp=tmp_path)  # round 0's model, round 1's batch
    assert "Round 1's batch is ready" in proc.stdout + proc.stderr
    for r, unit in ((0, "random"), (1, "badge")):
        manifest = pd.read_parquet(out / unit / "seed0" / f"round{r}" / "manifest.parquet")
        offered = pd.read_parquet(label / f"round{r}" / "batch.parquet")["row_id"]
        assert sorted(offered) == sorted(manifest.loc[manifest["round"] == r, "row_id"]), r
    mine, theirs = label / "round0", out / "random" / "seed0" / "round0"
    assert pd.read_parquet(mine / "scores.parquet").equals(pd.read_parquet(theirs / "scores.parquet"))
    assert (mine / "last_layer.parquet").read_bytes() == (theirs / "last_layer.parquet").read_bytes()
