"""Integration: a real Label Studio in the loop. Label Studio (PyPI label-studio, pinned below) lives in a
virtual environment of its own (.ls-venv, created here on first use: it pins old packages), local only,
SQLite, started and stopped by this test. Round 0's tasks.json is imported through the REST API, the
simulated annotator's answers are posted as annotations, the project is exported as JSON, and the export,
saved as round0.json, must give the same round 1 batch as the CSV path."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from bucket_al.label import label_config
from workflow_helpers import ROOT, SHARED_SST2, snakemake

pytestmark = pytest.mark.integration

LABEL_STUDIO = "label-studio==1.23.2"
VENV = ROOT / ".ls-venv"
TOKEN = "bucket-al-test-token-0123456789abcdef"
TRUTH = pd.read_parquet(SHARED_SST2 / "train.parquet")["label"].to_numpy()


def label_studio_bin() -> Path:
    """The label-studio command of .ls-venv, installed there first if missing (about 160 packages)."""
    exe = VENV / "bin" / "label-studio"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", LABEL_STUDIO], check=True, timeout=1500)
    return exe


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabelStudio:
    def __init__(self, url: str):
        self.url = url

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Authorization": f"Token {TOKEN}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            text = response.read().decode()
        return json.loads(text) if text else None


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory):
    exe = label_studio_bin()
    data_dir = tmp_path_factory.mktemp("label-studio")
    port = free_port()
    env = {**os.environ, "LABEL_STUDIO_USERNAME": "test@example.com", "LABEL_STUDIO_PASSWORD": "bucket-al-test",
           "LABEL_STUDIO_USER_TOKEN": TOKEN, "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
           "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true"}
    log = open(data_dir / "server.log", "w")
    proc = subprocess.Popen([str(exe), "start", "--no-browser", "--host", "127.0.0.1", "--port", str(port),
                             "--data-dir", str(data_dir)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, (data_dir / "server.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "Label Studio did not answer /health in 5 minutes"
            time.sleep(2)
        yield LabelStudio(url)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=60)
        log.close()


def test_a_label_studio_export_gives_the_same_next_batch_as_the_csv(label_studio, tmp_path):
    results = tmp_path / "results"
    names = ["0", "1"]
    layers = {}
    for way in ("csv", "studio"):
        layers[way] = {"experiment": f"test-label-{way}", "mode": "label", "seeds": [0],
                       "dataset": {"label_column": "not_in_the_file"}, "selection": {"arms": ["within_bucket"]},
                       "label": {"folder": str(tmp_path / f"labels-{way}"), "names": names}}
        snakemake(results, extra=layers[way], tmp=tmp_path)
    csv_out, studio_out = (results / layers[w]["experiment"] / "label" for w in ("csv", "studio"))

    # the CSV path: the batch with its label column filled in
    batch = pd.read_csv(csv_out / "round0" / "batch.csv", keep_default_na=False)
    batch["label"] = [str(TRUTH[r]) for r in batch["row_id"]]
    (tmp_path / "labels-csv").mkdir()
    batch[["row_id", "label"]].to_csv(tmp_path / "labels-csv" / "round0.csv", index=False)

    # the Label Studio path: import the tasks, annotate them through the API (the last row twice: the
    # later annotation counts), export the project
    project = label_studio.call("POST", "/api/projects", {"title": "bucket-al round 0",
                                                          "label_config": label_config(names)})
    tasks = json.loads((studio_out / "round0" / "tasks.json").read_text())
    label_studio.call("POST", f"/api/projects/{project['id']}/import", tasks)
    listed = label_studio.call("GET", f"/api/tasks?project={project['id']}&page_size=1000")
    listed = listed["tasks"] if isinstance(listed, dict) else listed
    assert len(listed) == len(tasks)
    for task in listed:
        row = task["data"]["row_id"]
        answers = [str(TRUTH[row])] if row != listed[-1]["data"]["row_id"] else [str(1 - TRUTH[row]), str(TRUTH[row])]
        for answer in answers:
            label_studio.call("POST", f"/api/tasks/{task['id']}/annotations", {
                "result": [{"from_name": "label", "to_name": "text", "type": "choices",
                            "value": {"choices": [answer]}}], "was_cancelled": False})
            time.sleep(0.01)
    export = label_studio.call("GET", f"/api/projects/{project['id']}/export?exportType=JSON")
    (tmp_path / "labels-studio").mkdir()
    (tmp_path / "labels-studio" / "round0.json").write_text(json.dumps(export))

    for way in ("csv", "studio"):
        snakemake(results, extra=layers[way], tmp=tmp_path)
    mine, theirs = (pd.read_parquet(out / "round1" / "batch.parquet") for out in (studio_out, csv_out))
    assert mine["row_id"].tolist() == theirs["row_id"].tolist() and len(mine) == 40
    labelled = pd.read_parquet(studio_out / "round0" / "labelled.parquet")
    assert labelled["label"].tolist() == [str(TRUTH[r]) for r in labelled["row_id"]]
