"""What a job of the linear learner imports: a model job (train, evaluate, score), a select job of
every query strategy and cold start on embeddings, and the stopping and aggregate steps must not
import torch, transformers, sentence-transformers or setfit (1.5 s and more of start-up each;
benchmarks/import_cost.py prints the times). Each case runs in a fresh interpreter, since this
test session may have imported them already."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bucket_al.plugins import COLD_STARTS, LEARNERS, QUERIES

HEAVY = ("torch", "transformers", "sentence_transformers", "setfit")

# a linear model job end to end, then each plug-in's own module on top
MODEL_JOB = """
import numpy as np, sys
from bucket_al.model import run_model
from bucket_al.rounds import query_round
from bucket_al.io import read_table, read_vectors, write_table
from bucket_al.learners import make_learner
rng = np.random.default_rng(0)
X, y = rng.normal(size=(60, 8)), np.repeat([0, 1], 30)
make_learner("linear", ["a", "b"], {"C": 1.0, "max_iter": 100}).fit(X, y).predict_proba(X)
"""


def heavy_after(code: str) -> list[str]:
    probe = code + f"\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return [m for m in out.strip().split(",") if m]


def test_a_linear_model_job_imports_no_deep_learning_library():
    assert heavy_after(MODEL_JOB) == []


@pytest.mark.parametrize("name", [n for n in LEARNERS.names if n in ("linear", "knn", "nb")])
def test_a_learner_on_embeddings_imports_no_deep_learning_library(name):
    assert heavy_after(f"import sys\nfrom bucket_al.plugins import LEARNERS\nLEARNERS.get({name!r})") == []


@pytest.mark.parametrize("registry, name", [("QUERIES", n) for n in QUERIES.names]
                         + [("COLD_STARTS", n) for n in COLD_STARTS.names])
def test_query_strategies_and_cold_starts_import_no_deep_learning_library(registry, name):
    assert heavy_after(f"import sys\nfrom bucket_al.plugins import {registry}\n{registry}.get({name!r})") == []


def test_stopping_and_aggregate_import_no_deep_learning_library():
    code = ("import sys\nfrom bucket_al.plugins import CRITERIA\nimport bucket_al.aggregate, bucket_al.stopping\n"
            "[CRITERIA.get(n) for n in CRITERIA.names]")
    assert heavy_after(code) == []
