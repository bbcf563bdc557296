"""Step 1: prepare() on small local files and on the real SST-2 files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bucket_al.data import prepare
from bucket_al.errors import ConfigError, DataError

SST2_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/sst2"


def schema_defaults(section: str) -> dict:
    """The defaults of a config section, from the schema (their one source)."""
    import yaml

    schema = yaml.safe_load((Path(__file__).resolve().parents[1] / "workflow/schemas/config.schema.yaml").read_text())
    return {k: v.get("default") for k, v in schema["properties"][section]["properties"].items()}


def make_cfg(data_dir, **overrides):
    cfg = {**schema_defaults("dataset"), "name": "x", "data_dir": None if data_dir is None else str(data_dir),
           "text_column": "sentence"}
    cfg.update(overrides)
    return cfg


def write(df: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ext = path.suffix
    if ext == ".parquet":
        df.to_parquet(path, index=False)
    elif ext == ".csv":
        df.to_csv(path, index=False)
    elif ext == ".tsv":  # GLUE-style: unquoted, so fields hold no tab or newline
        df.replace({r"[\t\n]": " "}, regex=True).to_csv(path, sep="\t", index=False, quoting=csv.QUOTE_NONE)
    elif ext == ".jsonl":
        df.to_json(path, orient="records", lines=True)
    else:
        raise AssertionError(ext)
    return path


POOL = pd.DataFrame({
    "sentence": ["  Hello World ", "GOOD Movie", "bad FILM  ", "Meh.", "\tQuite FINE\n", "Awful"],
    "label": ["pos", "pos", "neg", "neu", "neu", "neg"],
})
EVAL = pd.DataFrame({"sentence": ["Great!", " so-so ", "TERRIBLE"], "label": ["pos", "neu", "neg"]})


def write_splits(tmp_path, pool=POOL, eval_=EVAL, ext=".parquet"):
    d = tmp_path / "data"
    write(pool, d / f"train{ext}")
    write(eval_, d / f"validation{ext}")
    return d


def error_text(excinfo) -> str:
    text = str(excinfo.value)
    assert "\n" not in text, "error messages are one line"
    return text


# ---------------------------------------------------------------- happy paths

@pytest.mark.parametrize("ext", [".parquet", ".csv", ".tsv", ".jsonl"])
def test_prepare_each_format(tmp_path, ext):
    d = write_splits(tmp_path, ext=ext)
    pool, eval_, mapping = prepare(make_cfg(d))
    assert list(pool.columns) == ["row_id", "text", "label"]
    assert pool["row_id"].tolist() == [0, 1, 2, 3, 4, 5]
    assert pool["text"].tolist() == ["hello world", "good movie", "bad film", "meh.", "quite fine", "awful"]
    # string labels: sorted distinct pool values are the ids
    assert mapping == {"task": "single", "values": ["neg", "neu", "pos"], "names": ["neg", "neu", "pos"], "warnings": [],
                       "notes": [], "dropped": {}}
    assert pool["label"].tolist() == [2, 2, 0, 1, 1, 0]
    assert pool["label"].dtype == np.int64 and pool["row_id"].dtype == np.int64
    assert eval_["row_id"].tolist() == [0, 1, 2]
    assert eval_["text"].tolist() == ["great!", "so-so", "terrible"]
    assert eval_["label"].tolist() == [2, 1, 0]


def test_prepare_no_lowercase_strips_only(tmp_path):
    d = write_splits(tmp_path)
    pool, eval_, _ = prepare(make_cfg(d, lowercase=False))
    assert pool["text"].tolist() == ["Hello World", "GOOD Movie", "bad FILM", "Meh.", "Quite FINE", "Awful"]
    assert eval_["text"].tolist() == ["Great!", "so-so", "TERRIBLE"]


def test_prepare_numeric_labels_multiclass(tmp_path):
    pool = pd.DataFrame({"text": [f"s{i}" for i in range(8)], "y": [7, 3, 10, 3, 7, 10, 10, 3], "extra": 1.5})
    eval_ = pd.DataFrame({"text": ["a", "b", "c"], "y": [10, 3, 7]})
    d = write_splits(tmp_path, pool, eval_)
    p, e, mapping = prepare(make_cfg(d, text_column="text", label_column="y"))
    assert {k: mapping[k] for k in ("values", "names")} == {"values": [3, 7, 10], "names": ["3", "7", "10"]}
    assert all(type(v) is int for v in mapping["values"])  # JSON-friendly
    assert p["label"].tolist() == [1, 0, 2, 0, 1, 2, 2, 0]
    assert e["label"].tolist() == [2, 0, 1]
    assert list(p.columns) == ["row_id", "text", "label"]


def test_prepare_custom_split_names_and_files(tmp_path):
    d = tmp_path / "data"
    write(POOL, d / "dev_pool.csv")
    other = write(EVAL, tmp_path / "elsewhere" / "held_out.jsonl")
    cfg = make_cfg(None, pool_split="dev_pool", eval_split="test",
                   files={"dev_pool": str(d / "dev_pool.csv"), "test": str(other)})
    pool, eval_, mapping = prepare(cfg)
    assert len(pool) == 6 and len(eval_) == 3
    assert eval_["text"].tolist() == ["great!", "so-so", "terrible"]


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("key, drop", [("text_column", "sentence"), ("label_column", "label")])
def test_missing_column(tmp_path, key, drop):
    d = write_splits(tmp_path, pool=POOL.drop(columns=[drop]))
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    text = error_text(err)
    assert text.startswith(f"dataset.{key}: column '{drop}' not in split 'train'")


def test_missing_column_configured_name(tmp_path):
    d = write_splits(tmp_path)
    with pytest.raises(DataError, match=r"dataset\.text_column: column 'review' not in split 'train'"):
        prepare(make_cfg(d, text_column="review"))


def test_nan_text(tmp_path):
    pool = POOL.copy()
    pool.loc[[1, 4], "sentence"] = None
    d = write_splits(tmp_path, pool=pool)
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    assert error_text(err) == "dataset.text_column: 2 of 6 rows of split 'train' have no text (NaN)"


def test_empty_text(tmp_path):
    pool = POOL.copy()
    pool.loc[[0, 3, 5], "sentence"] = ["", "   ", "\t"]
    d = write_splits(tmp_path, pool=pool, ext=".jsonl")
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    assert error_text(err) == "dataset.text_column: 3 of 6 rows of split 'train' have empty text"


def test_nan_labels(tmp_path):
    pool = pd.DataFrame({"sentence": ["a", "b", "c", "d"], "label": [0.0, np.nan, 1.0, 1.0]})
    d = write_splits(tmp_path, pool=pool, eval_=pd.DataFrame({"sentence": ["x"], "label": [0]}))
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    assert error_text(err) == "dataset.label_column: 1 of 4 rows of split 'train' have no label (NaN)"


def test_all_nan_labels(tmp_path):
    eval_ = pd.DataFrame({"sentence": ["x", "y"], "label": [np.nan, np.nan]})
    d = write_splits(tmp_path, eval_=eval_)
    with pytest.raises(DataError, match=r"dataset\.label_column: split 'validation' has no labels"):
        prepare(make_cfg(d))


def test_eval_split_all_minus_one(tmp_path):
    # like SST-2's hub test split: every label is -1
    pool = pd.DataFrame({"sentence": ["a", "b", "c"], "label": [0, 1, 0]})
    eval_ = pd.DataFrame({"sentence": ["x", "y"], "label": [-1, -1]})
    d = write_splits(tmp_path, pool=pool, eval_=eval_)
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    text = error_text(err)
    assert text.startswith("dataset.label_column: split 'validation' carries no labels (all -1)")


def test_some_negative_labels(tmp_path):
    pool = pd.DataFrame({"sentence": ["a", "b", "c"], "label": [0, -1, 1]})
    d = write_splits(tmp_path, pool=pool, eval_=pd.DataFrame({"sentence": ["x"], "label": [0]}))
    with pytest.raises(DataError, match=r"1 of 3 rows of split 'train' have negative labels \[-1\]"):
        prepare(make_cfg(d))


def test_one_class_only(tmp_path):
    pool = pd.DataFrame({"sentence": ["a", "b", "c"], "label": ["pos", "pos", "pos"]})
    d = write_splits(tmp_path, pool=pool, eval_=pd.DataFrame({"sentence": ["x"], "label": ["pos"]}))
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    assert error_text(err) == "dataset.label_column: the pool has one class only ('pos'); need at least two"


def test_eval_label_unseen_in_pool(tmp_path):
    eval_ = pd.DataFrame({"sentence": ["x", "y", "z"], "label": ["pos", "mixed", "neg"]})
    d = write_splits(tmp_path, eval_=eval_)
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    assert error_text(err) == ("dataset.label_column: split 'validation' has 1 rows with labels the pool never shows: "
                               "['mixed']; set dataset.unseen_eval_labels: drop to leave them out of the evaluation")
    _, ev, mapping = prepare(make_cfg(d, unseen_eval_labels="drop"))
    assert ev["text"].tolist() == ["x", "z"]  # the row labelled 'mixed' is gone, the others keep their order
    assert mapping["dropped"] == {"unseen_eval_labels": {"rows": 1, "labels": ["mixed"]}}
    assert len(mapping["warnings"]) == 1 and "1 rows dropped" in mapping["warnings"][0]


def test_labels_of_another_type_in_the_eval_split(tmp_path):
    pool = pd.DataFrame({"sentence": ["a", "b", "c", "d"], "label": ["0", "1", "0", "1"]})
    eval_ = pd.DataFrame({"sentence": ["x", "y"], "label": [0, 1]})
    d = write_splits(tmp_path, pool=pool, eval_=eval_)
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    assert error_text(err).startswith(
        "dataset.label_column: the pool split 'train' has string labels (['0', '1']) but the eval split "
        "'validation' has number labels ([0, 1])")


def test_duplicates_conflicts_and_a_one_class_eval_split_are_warned_with_counts(tmp_path):
    pool = pd.DataFrame({"sentence": ["a", "A ", "a", "b", "b", "c", "d"], "label": [1, 1, 0, 0, 0, 1, 0]})
    eval_ = pd.DataFrame({"sentence": ["x", "y", "y"], "label": [1, 1, 1]})
    d = write_splits(tmp_path, pool=pool, eval_=eval_)
    p, ev, mapping = prepare(make_cfg(d))
    assert len(p) == 7 and len(ev) == 3  # warned, never dropped
    assert mapping["warnings"] == [
        "pool split 'train': 3 rows repeat the text of an earlier row (2 distinct texts)",  # 'a' twice, 'b' once
        "pool split 'train': 1 texts carry more than one label",  # 'a' (after cleaning: 1, 1, 0)
        "eval split 'validation': 1 rows repeat the text of an earlier row (1 distinct texts)",
        "eval split 'validation' holds one class only (1): accuracy and macro-F1 say little about the other classes",
    ]


@pytest.mark.parametrize("mode", ["warn", "drop", "error"])
def test_eval_text_in_the_pool(tmp_path, mode):
    pool = pd.DataFrame({"sentence": ["a", "b", "x", "c", "X", "d"], "label": [0, 1, 0, 1, 0, 1]})
    eval_ = pd.DataFrame({"sentence": ["x", "y"], "label": [0, 1]})
    d = write_splits(tmp_path, pool=pool, eval_=eval_)
    if mode == "error":
        with pytest.raises(DataError) as err:
            prepare(make_cfg(d, eval_overlap="error"))
        assert error_text(err).startswith("dataset.eval_overlap: 1 eval rows have their text in the pool (2 pool rows)")
        return
    p, ev, mapping = prepare(make_cfg(d, eval_overlap=mode))
    assert len(ev) == 2
    assert any("1 eval rows have their text in the pool (2 pool rows)" in w for w in mapping["warnings"])
    if mode == "warn":
        assert len(p) == 6 and mapping["dropped"] == {}
    else:
        assert p["row_id"].tolist() == [0, 1, 3, 5]  # the two copies of 'x' are gone; row ids keep their values
        assert mapping["dropped"] == {"eval_overlap": {"pool_rows": 2, "eval_rows": 1}}


def test_missing_data_dir(tmp_path):
    with pytest.raises(DataError) as err:
        prepare(make_cfg(tmp_path / "nowhere"))
    assert error_text(err).startswith("dataset.data_dir: not a directory:")
    assert "nowhere" in str(err.value)


def test_missing_split_file(tmp_path):
    d = tmp_path / "data"
    write(POOL, d / "train.parquet")
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    text = error_text(err)
    assert text.startswith("dataset.data_dir: no file for split 'validation'")
    assert "validation{.parquet,.csv,.tsv,.jsonl}" in text


def test_missing_explicit_file(tmp_path):
    d = write_splits(tmp_path)
    with pytest.raises(DataError, match=r"dataset\.files\.validation: file not found: .*gone\.csv"):
        prepare(make_cfg(None, files={"train": str(d / "train.parquet"), "validation": str(tmp_path / "gone.csv")}))


def test_unreadable_parquet(tmp_path):
    d = write_splits(tmp_path)
    bad = d / "validation.parquet"
    bad.write_bytes(b"\x00\x01garbage bytes, not parquet\xff" * 10)
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    text = error_text(err)
    assert text.startswith(f"{bad}: unreadable:")


def test_unsupported_file_type(tmp_path):
    d = write_splits(tmp_path)
    other = tmp_path / "eval.txt"
    other.write_text("sentence,label\nx,pos\n")
    with pytest.raises(DataError, match=r"unsupported file type '\.txt'"):
        prepare(make_cfg(None, files={"train": str(d / "train.parquet"), "validation": str(other)}))


def test_pool_split_equals_eval_split(tmp_path):
    d = write_splits(tmp_path)
    with pytest.raises(ConfigError, match=r"^dataset\.eval_split: must differ from dataset\.pool_split"):
        prepare(make_cfg(d, eval_split="train"))


def test_empty_split(tmp_path):
    d = write_splits(tmp_path, eval_=EVAL.iloc[:0])
    with pytest.raises(DataError, match=r"split 'validation' is empty"):
        prepare(make_cfg(d))


# ---------------------------------------------------------------- limit

def test_limit_subsample_deterministic_in_source_order(tmp_path):
    rng = np.random.default_rng(0)
    n = 100
    pool = pd.DataFrame({"sentence": [f"Row {i}" for i in range(n)], "label": rng.integers(0, 3, n)})
    eval_ = pd.DataFrame({"sentence": [f"Ev {i}" for i in range(40)], "label": np.arange(40) % 3})
    d = write_splits(tmp_path, pool=pool, eval_=eval_)
    cfg = make_cfg(d, limit={"pool": 10, "eval": 7})
    p1, e1, m1 = prepare(cfg)
    p2, e2, m2 = prepare(cfg)
    pd.testing.assert_frame_equal(p1, p2)
    pd.testing.assert_frame_equal(e1, e2)
    assert m1 == m2
    assert len(p1) == 10 and len(e1) == 7
    assert p1["row_id"].is_monotonic_increasing and p1["row_id"].is_unique
    assert e1["row_id"].is_monotonic_increasing
    # row_id is still the source position: text and label line up with the source rows
    assert p1["text"].tolist() == [f"row {i}" for i in p1["row_id"]]
    assert p1["label"].tolist() == pool["label"].to_numpy()[p1["row_id"]].tolist()
    assert e1["text"].tolist() == [f"ev {i}" for i in e1["row_id"]]
    # a subsample, not the head
    assert p1["row_id"].tolist() != list(range(10))
    # a limit at or above the split size keeps every row
    p3, _, _ = prepare(make_cfg(d, limit={"pool": 1000, "eval": None}))
    assert p3["row_id"].tolist() == list(range(n))


# ---------------------------------------------------------------- text that looks like a missing value

@pytest.mark.parametrize("ext", [".csv", ".tsv"])
def test_text_that_looks_like_na_is_kept(tmp_path, ext):
    pool = pd.DataFrame({"sentence": ["NA", "None", "fine film", "null"], "label": [0, 1, 0, 1]})
    d = write_splits(tmp_path, pool=pool, eval_=pd.DataFrame({"sentence": ["ok"], "label": [1]}), ext=ext)
    p, _, _ = prepare(make_cfg(d))
    assert p["text"].tolist() == ["na", "none", "fine film", "null"]


def test_tsv_is_read_without_quoting(tmp_path):
    (tmp_path / "train.tsv").write_text('sentence\tlabel\n"hello" world\t1\nbad "one\t0\nnext row\t1\n')
    (tmp_path / "validation.tsv").write_text("sentence\tlabel\nok\t1\n")
    p, _, _ = prepare(make_cfg(tmp_path))
    assert p["text"].tolist() == ['"hello" world', 'bad "one', "next row"]


# ---------------------------------------------------------------- the real SST-2 files

def test_real_sst2():
    pool, eval_, mapping = prepare(make_cfg(SST2_DIR))
    assert len(pool) == 67_349
    assert len(eval_) == 872
    assert {k: mapping[k] for k in ("values", "names", "dropped")} == {"values": [0, 1], "names": ["0", "1"], "dropped": {}}
    # the real file's duplicates and conflicting labels, counted here independently of prepare()
    raw = pd.read_parquet(SST2_DIR / "train.parquet")
    text = raw["sentence"].str.lower().str.strip()
    repeats, distinct = int(text.duplicated().sum()), text[text.duplicated()].nunique()
    conflicting = int((raw.assign(t=text).groupby("t")["label"].nunique() > 1).sum())
    assert (repeats, distinct, conflicting) == (371, 371, 5)
    assert mapping["warnings"] == [
        f"pool split 'train': {repeats} rows repeat the text of an earlier row ({distinct} distinct texts)",
        f"pool split 'train': {conflicting} texts carry more than one label",
    ]
    assert pool["row_id"].tolist() == list(range(67_349))
    assert set(pool["label"].unique()) == {0, 1} and set(eval_["label"].unique()) == {0, 1}
    assert pool["text"].iloc[0] == "when are bears bears and"
    assert eval_["text"].iloc[0] == "it 's a charming and often affecting journey ."
    assert (pool["text"] == pool["text"].str.strip().str.lower()).all()


# ---------------------------------------------------------------- your own data, safely

def labelled(n=120, seed=0, labels=("pos", "neg", "neu"), p=(0.5, 0.4, 0.1)):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"text": [f"row {i} says {w}" for i, w in enumerate(rng.choice(["a", "b", "c"], n))],
                         "label": rng.choice(list(labels), size=n, p=list(p))})


def test_one_labelled_file_is_split_once_seeded_and_stratified(tmp_path):
    df = labelled()
    path = write(df, tmp_path / "mine.csv")
    cfg = make_cfg(None, files={"train": str(path)}, text_column="text", eval_fraction=0.25)
    pool, eval_, labels = prepare(cfg)
    assert len(pool) + len(eval_) == len(df) and not set(pool["row_id"]) & set(eval_["row_id"])
    assert sorted(set(pool["row_id"]) | set(eval_["row_id"])) == list(range(len(df)))  # the file's row ids
    names = labels["names"]
    for j, name in enumerate(names):  # stratified: each label's share, rounded
        n = int((df["label"] == name).sum())
        assert int((eval_["label"] == j).sum()) == min(max(round(0.25 * n), 1), n - 1)
    assert labels["split"] == {"from": "train", "eval_fraction": 0.25, "seed": 0, "pool_rows": len(pool),
                               "eval_rows": len(eval_), "row_ids": "eval.parquet"}
    again = prepare(cfg)
    pd.testing.assert_frame_equal(again[1], eval_)  # seeded: the same split every time
    other = prepare({**cfg, "split_seed": 1})[1]
    assert set(other["row_id"]) != set(eval_["row_id"])


def test_mixed_sources_stop_naming_both_keys(tmp_path):
    path = write(labelled(), tmp_path / "mine.csv")
    cfg = make_cfg(SST2_DIR, files={"train": str(path)}, text_column="text")  # data_dir inherited from a layer below
    with pytest.raises(ConfigError, match=r"^dataset.files.train and dataset.data_dir: the pool split 'train' would "
                                          r"come from dataset.files.train \(.*mine.csv\) but the eval split"):
        prepare(cfg)
    hub = make_cfg(None, files={"validation": str(path)})
    with pytest.raises(ConfigError, match=r"^dataset.name and dataset.files.validation: "):
        prepare(hub)
    with pytest.raises(ConfigError, match=r"^dataset.eval_fraction: set, but dataset.files.validation names an eval"):
        prepare(make_cfg(None, files={"train": str(path), "validation": str(path)}, eval_fraction=0.2))


def test_label_variants_warn_with_counts_and_label_map_merges_them(tmp_path):
    df = labelled(labels=("pos", "Pos", "neg"), p=(0.6, 0.1, 0.3))
    write(df, tmp_path / "d/train.csv")
    write(df.head(40), tmp_path / "d/validation.csv")
    cfg = make_cfg(tmp_path / "d", text_column="text")
    _, _, labels = prepare(cfg)
    counts = df["label"].value_counts()
    warning = next(w for w in labels["warnings"] if "case or spaces" in w)
    assert f"'Pos' ({counts['Pos']} rows), 'pos' ({counts['pos']} rows)" in warning and "dataset.label_map" in warning
    assert labels["names"] == ["Pos", "neg", "pos"]  # still three classes: said, not silently merged
    merged = prepare({**cfg, "label_map": {"pos": "positive", "Pos": "positive", "neg": "negative"}})[2]
    assert merged["names"] == ["negative", "positive"] and not any("case or spaces" in w for w in merged["warnings"])


def test_minus_one_labels_are_refused_with_the_way_on(tmp_path):
    df = labelled(labels=(-1, 1), p=(0.4, 0.6))
    write(df, tmp_path / "d/train.parquet")
    write(df.head(30), tmp_path / "d/validation.parquet")
    cfg = make_cfg(tmp_path / "d", text_column="text")
    with pytest.raises(DataError, match=r"have negative labels \[-1\], which the Hugging Face Hub uses for 'no label'; "
                                        r"if they are classes here, name every label with dataset.label_map"):
        prepare(cfg)
    _, _, labels = prepare({**cfg, "label_map": {-1: "negative", 1: "positive"}})
    assert labels["names"] == ["negative", "positive"]
    with pytest.raises(DataError, match=r"^dataset.label_map: labels of split 'train' it does not map: \['1'\]"):
        prepare({**cfg, "label_map": {-1: "negative"}})


def test_a_drop_that_empties_a_split_stops_naming_the_option(tmp_path):
    df = labelled(labels=("a", "b"), p=(0.5, 0.5))
    write(df, tmp_path / "d/train.csv")
    write(pd.DataFrame({"text": ["x", "y"], "label": ["c", "d"]}), tmp_path / "d/validation.csv")
    cfg = make_cfg(tmp_path / "d", text_column="text", unseen_eval_labels="drop")
    with pytest.raises(DataError, match=r"^dataset.unseen_eval_labels: drop would leave the eval split 'validation' "
                                        r"empty: all 2 rows have labels the pool never shows"):
        prepare(cfg)
    write(df.head(10), tmp_path / "e/train.csv")
    write(df.head(10), tmp_path / "e/validation.csv")
    with pytest.raises(DataError, match=r"^dataset.eval_overlap: drop would leave the pool split 'train' empty: all 10 rows"):
        prepare(make_cfg(tmp_path / "e", text_column="text", eval_overlap="drop"))


def test_the_dataset_key_follows_the_files_bytes_whatever_their_mtime(tmp_path):
    import os
    import shutil

    from bucket_al.config import dataset_key, file_digest

    a, b = write(labelled(seed=0), tmp_path / "a.csv"), write(labelled(seed=1), tmp_path / "b.csv")
    cfg = make_cfg(None, files={"train": str(tmp_path / "mine.csv")}, text_column="text", eval_fraction=0.2)
    shutil.copy2(a, tmp_path / "mine.csv")
    key = dataset_key(cfg)
    assert key.startswith("mine-")
    shutil.copy2(b, tmp_path / "mine.csv")  # replaced in place
    os.utime(tmp_path / "mine.csv", ns=(1, 1))  # ... by a file older than the first
    file_digest.cache_clear()  # a new run
    assert dataset_key(cfg) != key


def test_labels_that_mix_numbers_and_strings_stop_with_one_line(tmp_path):
    pool = pd.DataFrame({"sentence": ["a", "b", "c", "d"], "label": [0, 1, "unsure", 1]}, dtype=object)
    d = tmp_path / "data"
    d.mkdir()
    pd.DataFrame(pool).to_json(d / "train.jsonl", orient="records", lines=True)
    pd.DataFrame({"sentence": ["x", "y"], "label": [0, "unsure"]}, dtype=object).to_json(
        d / "validation.jsonl", orient="records", lines=True)
    with pytest.raises(DataError) as err:
        prepare(make_cfg(d))
    assert error_text(err) == ("dataset.label_column: the pool's labels mix numbers [0, 1] and strings ['unsure']; "
                               "make them one type (dataset.label_map maps each label)")


@pytest.mark.parametrize("ext", [".csv", ".tsv", ".jsonl"])
def test_a_text_column_of_numbers_is_read_as_text(tmp_path, ext):
    """Product codes and ids are texts: "0850624" is not 850624.0, "636961e1" not 6369610.0."""
    codes = ["0850624", "636961e1", "12", "0007"]
    pool = pd.DataFrame({"sentence": codes, "label": ["a", "b", "a", "b"]})
    d = write_splits(tmp_path, pool=pool, eval_=pd.DataFrame({"sentence": ["0.50"], "label": ["a"]}), ext=ext)
    pool_out, eval_out, _ = prepare(make_cfg(d))
    assert pool_out["text"].tolist() == codes and eval_out["text"].tolist() == ["0.50"]
