"""Integration: the labelling mode, round by round, with a simulated annotator that answers from SST-2's
true labels (which the labelling run never sees: its label column is hidden). With every offered row
labelled, each round's batch must be the rows the experiment mode picks for the same arm, seed, learner
and config, and each model's stop-set predictions and scores the experiment's (tests/conftest.py's slice
run; the typiclust and zero_shot cold starts in a one-seed experiment beside it)."""

from __future__ import annotations


import pandas as pd
import pytest

from workflow_helpers import SHARED_SST2, job_counts, layered_config, snakemake

pytestmark = pytest.mark.integration

CFG = layered_config()
ROUNDS = CFG["selection"]["rounds"]
TRUTH = pd.read_parquet(SHARED_SST2 / "train.parquet")["label"].to_numpy()  # by row id: the file's row order


def label_layer(arm, folder, rounds=ROUNDS):
    """The slice in labelling mode: its pool (the same 3,000 rows and row ids), without its labels."""
    name = arm if isinstance(arm, str) else arm["name"]
    return {"experiment": f"test-label-{name}", "mode": "label", "seeds": [0],
            "dataset": {"label_column": "not_in_the_file"},
            "selection": {"arms": [arm], "rounds": rounds},
            "label": {"folder": str(folder), "names": ["0", "1"]}}


def annotate(out, folder, r, skip=()):
    """The simulated person: round r's batch.csv, its label column filled in from the truth (``skip``:
    rows left blank), saved into the labels folder."""
    batch = pd.read_csv(out / "label" / f"round{r}" / "batch.csv", keep_default_na=False)
    batch["label"] = [("" if row in skip else str(TRUTH[row])) for row in batch["row_id"]]
    folder.mkdir(exist_ok=True)
    batch.to_csv(folder / f"round{r}.csv", index=False)


def label_all_rounds(results, tmp, arm, rounds=ROUNDS):
    folder = tmp / "labels"
    layer = label_layer(arm, folder, rounds)
    out = results / layer["experiment"]
    for r in range(rounds):
        proc = snakemake(results, extra=layer, tmp=tmp)
        assert f"Round {r}'s batch is ready" in proc.stdout + proc.stderr
        annotate(out, folder, r)
    proc = snakemake(results, extra=layer, tmp=tmp)
    assert "No new batch" in proc.stdout + proc.stderr  # selection.rounds reached
    return out, folder, layer


ZERO_SHOT = {"name": "zero_shot_confident", "cold_start": "zero_shot", "query": "within_bucket"}
COLD_ROUNDS = 2  # the typicality and zero-shot cold starts: round 0, and one query round after it


@pytest.fixture(scope="module")
def label_results(tmp_path_factory):
    """The labelling runs' results folder: apart from the slice's, whose tests count its datasets."""
    return tmp_path_factory.mktemp("label-results")


@pytest.fixture(scope="module")
def one_seed_run(slice_run, tmp_path_factory):
    """The experiment mode for the arms the slice has not (the typiclust cold start, the zero_shot cold
    start), one seed, in the slice's results folder (its data and embeddings are the slice's)."""
    tmp = tmp_path_factory.mktemp("one-seed")
    snakemake(slice_run["results"], extra={"experiment": "test-slice-one-seed", "seeds": [0],
                                           "selection": {"arms": ["typiclust", ZERO_SHOT], "rounds": COLD_ROUNDS}},
              tmp=tmp)
    return slice_run["results"] / "test-slice-one-seed"


@pytest.mark.parametrize("arm, experiment_round0", [
    ("within_bucket", "cold_start/buckets"), ("entropy", "random"), ("typiclust", "cold_start/typiclust"),
    (ZERO_SHOT, "cold_start/zero_shot")])
def test_every_round_offers_the_experiments_rows_and_trains_its_models(arm, experiment_round0, slice_run,
                                                                        one_seed_run, label_results, tmp_path):
    results = label_results
    name = arm if isinstance(arm, str) else arm["name"]
    experiment, rounds = (slice_run["out"], ROUNDS) if name in ("within_bucket", "entropy") else (one_seed_run,
                                                                                                  COLD_ROUNDS)
    out, folder, layer = label_all_rounds(results, tmp_path, arm, rounds)
    for r in range(rounds):
        mine = out / "label" / f"round{r}"
        theirs = experiment / (experiment_round0 if r == 0 else name) / "seed0" / f"round{r}"
        manifest = pd.read_parquet(theirs / "manifest.parquet")
        assert sorted(pd.read_parquet(mine / "batch.parquet")["row_id"]) == sorted(
            manifest.loc[manifest["round"] == r, "row_id"]), r
        assert pd.read_parquet(mine / "stop_set.parquet").equals(pd.read_parquet(theirs / "stop_set.parquet")), r
        if (theirs / "scores.parquet").exists():
            assert pd.read_parquet(mine / "scores.parquet").equals(pd.read_parquet(theirs / "scores.parquet")), r
    # the run is finished: nothing to do for the same command, and the report says what it did
    assert job_counts(snakemake(results, "-n", extra=layer, tmp=tmp_path).stdout) == {}
    report = (out / "label" / "report.md").read_text()
    assert f"{rounds} round(s) trained" in report and "No accuracy estimate exists" in report
    predictions = pd.read_parquet(out / "label" / "predictions.parquet")
    assert len(predictions) == 3000 and predictions["labelled_by_person"].sum() == rounds * 40


def test_history_is_a_fact_and_an_edited_label_file_retrains_from_its_round(label_results, tmp_path):
    """Rounds 0 and 1 returned, round 2's batch open: editing round 1's file (in place, older mtime)
    re-trains round 1's model and re-writes only the open batch; round 0 and both past batches stay.
    A returned file naming a row that round did not offer stops the run at parse time, naming the file
    and the row, and writes nothing; the workflow never writes into the labels folder."""
    results, arm = label_results, "within_bucket"
    folder = tmp_path / "labels"
    layer = {**label_layer(arm, folder), "experiment": "test-label-history"}
    out = results / layer["experiment"]
    for r in range(2):
        snakemake(results, extra=layer, tmp=tmp_path)
        annotate(out, folder, r, skip={int(pd.read_csv(out / "label" / f"round{r}" / "batch.csv")["row_id"][0])})
    snakemake(results, extra=layer, tmp=tmp_path)
    before = {p: p.read_bytes() for p in folder.iterdir()}
    batches = {r: (out / "label" / f"round{r}" / "batch.parquet").read_bytes() for r in range(3)}
    skipped = pd.read_parquet(out / "label" / "round1" / "labelled.parquet")
    assert skipped["skipped"].sum() == 2  # one per round, never offered again:
    assert not set(skipped.loc[skipped["skipped"], "row_id"]) & set(
        pd.read_parquet(out / "label" / "round2" / "batch.parquet")["row_id"])

    edited = folder / "round1.csv"
    stat = edited.stat()
    table = pd.read_csv(edited, keep_default_na=False)
    table.loc[1, "label"] = "1" if table.loc[1, "label"] == "0" else "0"
    table.to_csv(edited, index=False)
    import os

    os.utime(edited, (stat.st_atime, stat.st_mtime - 3600))  # older than before: the content decides
    counts = job_counts(snakemake(results, "-n", extra=layer, tmp=tmp_path).stdout)
    assert counts == {"label_model": 1, "label_batch": 1, "label_report": 1, "all": 1}, counts
    snakemake(results, extra=layer, tmp=tmp_path)
    assert {r: (out / "label" / f"round{r}" / "batch.parquet").read_bytes() for r in range(2)} == {
        r: batches[r] for r in range(2)}

    bad = folder / "round2.csv"
    bad.write_text("row_id,label\n999999,1\n")
    proc = snakemake(results, extra=layer, tmp=tmp_path, check=False)
    assert proc.returncode != 0
    assert f"{bad}: row_id 999999 was not offered in this round" in proc.stdout + proc.stderr
    assert not (out / "label" / "round2" / "labelled.parquet").exists()
    bad.unlink()
    assert {p: p.read_bytes() for p in folder.iterdir()} == {**before, edited: edited.read_bytes()}


def test_seed_labels_are_round_0_and_the_first_batch_is_the_queries_of_their_model(slice_run, label_results,
                                                                                  tmp_path):
    """A pool file (a CSV of the slice's 3,000 texts, in order) whose label column holds labels for the
    rows of the experiment's round 0 only: those are seed labels, round 0's model trains on them, and the
    first batch (round 1) is the rows the experiment's round 1 picks (row ids: positions in this file)."""
    from bucket_al.data import subsample

    everything = pd.read_parquet(SHARED_SST2 / "train.parquet")
    to_slice = subsample(pd.DataFrame({"row_id": range(len(everything))}), CFG["dataset"]["limit"]["pool"])
    to_slice = to_slice["row_id"].to_numpy()  # this file's row i is the slice's row to_slice[i]
    experiment = slice_run["out"] / "cold_start" / "buckets" / "seed0" / "round0" / "manifest.parquet"
    seeds = set(pd.read_parquet(experiment)["row_id"])
    source = everything.iloc[to_slice]
    csv = pd.DataFrame({"sentence": source["sentence"].to_numpy(),
                        "label": [str(v) if r in seeds else "" for r, v in zip(to_slice, source["label"])]})
    csv.to_csv(tmp_path / "pool.csv", index=False)
    layer = {"experiment": "test-label-seeded", "mode": "label", "seeds": [0],
             "dataset": {"files": {"train": str(tmp_path / "pool.csv")}, "data_dir": None},
             "selection": {"arms": ["within_bucket"]},
             "label": {"folder": str(tmp_path / "labels"), "names": ["0", "1"]}}
    proc = snakemake(label_results, extra=layer, tmp=tmp_path)
    assert "Round 1's batch is ready" in proc.stdout + proc.stderr
    out = label_results / "test-label-seeded" / "label"
    labelled = pd.read_parquet(out / "round0" / "labelled.parquet")
    assert (labelled["source"] == "seed").all() and len(labelled) == len(seeds)
    manifest = pd.read_parquet(slice_run["out"] / "within_bucket" / "seed0" / "round1" / "manifest.parquet")
    batch = pd.read_parquet(out / "round1" / "batch.parquet")
    assert sorted(to_slice[batch["row_id"]]) == sorted(manifest.loc[manifest["round"] == 1, "row_id"])
    assert not (out / "round0" / "batch.csv").exists()  # nothing to label in round 0
