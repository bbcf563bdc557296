"""Labelling mode's files and bookkeeping (bucket_al.label, bucket_al.label_round): what a person returns,
checked against the batch that was offered; what goes out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bucket_al.errors import DataError
from bucket_al.label import batch_files, label_config, read_returned, returned_rounds, wilson_interval
from bucket_al.label_round import draw_audit, first_batch, labelled_table, never_offered, trainable

NAMES = ["negative", "positive"]
OFFERED = pd.DataFrame({"row_id": [3, 7, 11, 20], "audit": [False, False, False, True]})


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_returned_csv_reads_labels_and_blank_skips(tmp_path):
    path = write(tmp_path, "round0.csv", "row_id,label\n3,positive\n7,\n11,negative\n20, Positive\n")
    got, warnings = read_returned(path, OFFERED, NAMES)
    assert got["row_id"].tolist() == [3, 7, 11, 20]
    assert got["label"].tolist() == ["positive", None, "negative", "positive"]
    assert got["skipped"].tolist() == [False, True, False, False]
    assert warnings == [f"{path}: 1 rows labelled 'Positive', read as 'positive'"]
    # the workflow passes its separator for multi-label cells to every round; a single-label cell stays one label
    assert read_returned(path, OFFERED, NAMES, separator="|")[0]["label"].tolist() == got["label"].tolist()


@pytest.mark.parametrize("text, message", [
    ("row_id,label\n3,positive\n99,negative\n", "row_id 99 was not offered in this round"),
    ("row_id,label\n3,positive\n3,negative\n", "row_id 3 is labelled twice"),
    ("row_id,label\n3,neutral\n", "row_id 3: label 'neutral' is not in the label set (negative, positive)"),
    ("row_id,label\nabc,positive\n", "row_id 'abc' is not a row id"),
    ("id,label\n3,positive\n", "no column 'row_id'"),
    ("row_id,label\n", "no rows"),
    ("", "empty file"),
])
def test_bad_returned_files_name_the_file_and_the_row(tmp_path, text, message):
    path = write(tmp_path, "round0.csv", text)
    with pytest.raises(DataError, match="round0.csv") as err:
        read_returned(path, OFFERED, NAMES)
    assert message in str(err.value) and "\n" not in str(err.value)


def annotation(choice, updated, cancelled=False):
    return {"was_cancelled": cancelled, "updated_at": updated,
            "result": [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]}


def test_a_label_studio_export_takes_each_tasks_latest_annotation_that_is_not_cancelled(tmp_path):
    tasks = [
        {"id": 1, "data": {"text": "a", "row_id": 3},
         "annotations": [annotation("negative", "2026-01-02"), annotation("positive", "2026-01-01")]},
        {"id": 2, "data": {"text": "b", "row_id": 7}, "annotations": [annotation("positive", "2026-01-03", True)]},
        {"id": 3, "data": {"text": "c", "row_id": 11}, "annotations": []},
    ]
    got, _ = read_returned(write(tmp_path, "round0.json", json.dumps(tasks)), OFFERED, NAMES)
    assert got["label"].tolist() == ["negative", None, None]
    assert got["skipped"].tolist() == [False, True, True]
    with pytest.raises(DataError, match="task 0 has no data.row_id"):
        read_returned(write(tmp_path, "round1.json", json.dumps([{"data": {"text": "a"}}])), OFFERED, NAMES)
    with pytest.raises(DataError, match="unreadable"):
        read_returned(write(tmp_path, "round2.json", "{not json"), OFFERED, NAMES)


def test_multi_label_cells_split_on_the_separator(tmp_path):
    path = write(tmp_path, "round0.csv", "row_id,label\n3,joy|surprise\n7,joy\n")
    got, _ = read_returned(path, OFFERED, ["joy", "anger", "surprise"], multilabel=True, separator="|")
    assert got["label"].tolist() == [["joy", "surprise"], ["joy"]]
    with pytest.raises(DataError, match="label 'joy;surprise' is not in the label set"):
        read_returned(write(tmp_path, "round1.csv", "row_id,label\n3,joy;surprise\n"), OFFERED,
                      ["joy", "anger", "surprise"], multilabel=True, separator="|")


def test_returned_rounds_in_order_without_gaps(tmp_path):
    assert returned_rounds(tmp_path / "none") == {}
    write(tmp_path, "round0.csv", "row_id,label\n")
    write(tmp_path, "round1.json", "[]")
    write(tmp_path, "notes.txt", "")
    assert returned_rounds(tmp_path) == {0: tmp_path / "round0.csv", 1: tmp_path / "round1.json"}
    write(tmp_path, "round3.csv", "row_id,label\n")
    with pytest.raises(DataError, match="round 2's labels are missing"):
        returned_rounds(tmp_path)
    write(tmp_path, "round1.csv", "row_id,label\n")
    with pytest.raises(DataError, match="round 1 has two label files"):
        returned_rounds(tmp_path)


def test_labelled_table_skips_missing_rows_and_trains_on_neither_audit_nor_skipped_rows():
    seed = pd.DataFrame({"row_id": [50], "label": ["negative"]})
    returned = {1: pd.DataFrame({"row_id": [3, 7, 20], "label": ["positive", None, "negative"],
                                 "skipped": [False, True, False]})}
    table = labelled_table(seed, {1: OFFERED}, returned)
    assert table["row_id"].tolist() == [50, 3, 7, 11, 20]
    assert table["source"].tolist() == ["seed", "person", "person", "person", "person"]
    assert table["skipped"].tolist() == [False, False, True, True, False]  # 11 is not in the file
    train = trainable(table)
    assert train[["row_id", "round"]].values.tolist() == [[50, 0], [3, 1]]  # 20 is an audit row


def test_a_self_trainer_reads_the_rows_nobody_labelled_the_experiments_when_every_offered_row_is(tmp_path):
    """What a learner that reads the pool gets in the labelling mode (bucket_al.model.fit's ``unlabelled``):
    neither a seed label, nor an offered row (labelled, skipped or audit), nor the stop set; with every
    offered row labelled, the experiment's rows (the pool less the manifest and the stop set)."""
    from bucket_al.learners.base import Learner
    from bucket_al.model import fit
    from bucket_al.rows import unlabelled_rows

    seed = pd.DataFrame({"row_id": [50], "label": ["negative"]})
    returned = {1: pd.DataFrame({"row_id": [3, 7, 20], "label": ["positive", None, "negative"],
                                 "skipped": [False, True, False]})}
    table = labelled_table(seed, {1: OFFERED}, returned)
    pool, stop = np.arange(60), np.array([4, 5])
    assert never_offered(pool, table, stop).tolist() == sorted(set(range(60)) - {50, 3, 7, 11, 20, 4, 5})
    everyone = labelled_table(seed, {1: OFFERED}, {1: pd.DataFrame({
        "row_id": [3, 7, 11, 20], "label": ["positive"] * 4, "skipped": [False] * 4})})
    everyone = everyone[~everyone["audit"]]  # an experiment has no audit rows
    assert never_offered(pool, everyone, stop).tolist() == unlabelled_rows(pool, everyone["row_id"], stop).tolist()

    class Reader(Learner):  # a stand-in self-trainer: pseudo-labels every unlabelled row 0
        name, reads_pool = "reader", True

        def fit(self, X, y, unlabelled=None):
            self.seen_ = unlabelled
            self.pseudo_index_ = np.arange(len(unlabelled))
            self.pseudo_label_ = np.zeros(len(unlabelled), dtype=np.int64)
            self.pseudo_weight_ = np.ones(len(unlabelled))
            return self

        def predict_proba(self, X):
            return np.full((len(X), 2), 0.5)

        def save_state(self, directory):
            pass

        def load_state(self, directory, **options):
            pass

    X = np.arange(60, dtype=np.float32)[:, None] * np.ones((1, 2), dtype=np.float32)
    train = trainable(table)
    learner = Reader(2, ["negative", "positive"])
    fit(learner, pool, X, train["row_id"].to_numpy(), np.zeros(len(train), dtype=np.int64), train[["row_id", "round"]],
        stop, tmp_path / "model", unlabelled=never_offered(pool, table, stop))
    assert learner.seen_[:, 0].tolist() == never_offered(pool, table, stop).tolist()
    assert pd.read_parquet(tmp_path / "model" / "pseudo_labels.parquet")["row_id"].tolist() == learner.seen_[:, 0].tolist()


def test_the_first_batch_keeps_audit_rows_apart_from_the_cold_start_and_the_stop_set():
    pool = np.arange(200)
    stop = np.arange(0, 200, 10)
    batch = first_batch(pool, stop, cold="random", cold_params={}, budget=30, seed=4, n=3, pick="random", audit=25)
    audit, picked = batch[batch["audit"]], batch[~batch["audit"]]
    assert len(audit) == 25 and len(picked) == 30 and batch["round"].eq(0).all()
    assert not set(audit["row_id"]) & set(picked["row_id"]) and not set(batch["row_id"]) & set(stop)
    assert draw_audit(np.setdiff1d(pool, stop), 25, 4).tolist() == sorted(audit["row_id"])
    # without an audit sample, round 0 is the arm's cold start on the pool less the stop set, as in the experiment
    plain = first_batch(pool, stop, cold="random", cold_params={}, budget=30, seed=4, n=3, pick="random", audit=0)
    from bucket_al.twin import random_twin

    assert sorted(plain["row_id"]) == sorted(random_twin(np.setdiff1d(pool, stop), [30], 4)["row_id"])


def test_batch_files_for_the_person_and_for_label_studio(tmp_path):
    batch = pd.DataFrame({"row_id": [3, 7], "text": ["good", "bad"], "audit": [False, False],
                          "suggestion": ["positive", "negative"], "probability": [0.91234, 0.6]})
    batch_files(batch, NAMES, 2, tmp_path / "batch.csv", tmp_path / "tasks.json")
    table = pd.read_csv(tmp_path / "batch.csv", keep_default_na=False)
    assert table.columns.tolist() == ["row_id", "text", "audit", "suggestion", "probability", "label"]
    assert table["label"].tolist() == ["", ""] and table["probability"].tolist() == [0.9123, 0.6]
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    assert tasks[0]["data"] == {"text": "good", "row_id": 3, "round": 2, "audit": False}
    assert tasks[0]["predictions"][0]["result"][0]["value"] == {"choices": ["positive"]}
    assert '<Choice value="positive"/>' in label_config(NAMES) and 'name="label"' in label_config(NAMES)
    multi = batch.assign(suggestion=["joy|surprise", ""])
    batch_files(multi, ["joy", "surprise"], 2, tmp_path / "m.csv", tmp_path / "m.json", multilabel=True)
    tasks = json.loads((tmp_path / "m.json").read_text())
    assert [t["predictions"][0]["result"][0]["value"]["choices"] for t in tasks] == [["joy", "surprise"], []]
    assert 'choice="multiple"' in label_config(["joy", "surprise"], multilabel=True)


def test_wilson_interval():
    low, high = wilson_interval(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.49, 0.943)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0


def test_the_label_pool_reads_text_and_takes_labelled_rows_as_seed_labels(tmp_path):
    from bucket_al.errors import ConfigError
    from bucket_al.label_data import prepare_label_pool
    from test_data import make_cfg

    d = tmp_path / "data"
    d.mkdir()
    pd.DataFrame({"text": ["Good", "0850624", "Bad", "meh"], "label": ["positive", "", " negative", ""]}).to_csv(
        d / "train.csv", index=False)
    cfg = make_cfg(d, text_column="text", label_column="label")
    pool, seed, meta = prepare_label_pool(cfg, NAMES)
    assert pool["text"].tolist() == ["good", "0850624", "bad", "meh"] and pool["row_id"].tolist() == [0, 1, 2, 3]
    assert seed.values.tolist() == [[0, "positive"], [2, "negative"]]
    assert meta["names"] == NAMES and "1 rows labelled ' negative', read as 'negative'" in meta["warnings"][0]
    _, _, inferred = prepare_label_pool(cfg, [])  # no label set given: the seed labels' values
    assert inferred["names"] == ["negative", "positive"]
    with pytest.raises(DataError, match="label 'positive' is not in the label set"):
        prepare_label_pool(cfg, ["neg", "pos"])
    numbers = tmp_path / "numbers"
    numbers.mkdir()
    pd.DataFrame({"text": ["a", "b", "c"], "label": [1, None, 0]}).to_csv(numbers / "train.csv", index=False)
    _, seed_numbers, _ = prepare_label_pool(make_cfg(numbers, text_column="text", label_column="label"), ["0", "1"])
    assert seed_numbers.values.tolist() == [[0, "1"], [2, "0"]]  # read as 1.0 and 0.0 beside the blank
    unlabelled = make_cfg(d, text_column="text", label_column="no_such_column")
    assert len(prepare_label_pool(unlabelled, NAMES)[1]) == 0
    with pytest.raises(ConfigError, match="label.names: no label set"):
        prepare_label_pool(unlabelled, [])
