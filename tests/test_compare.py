"""bucket_al.compare: the learner table, and each compared learner paired with the row-choosing one."""
import numpy as np
import pandas as pd
import pytest

from bucket_al.aggregate import holm, paired_p
from bucket_al.compare import cpu_seconds, learner_table, paired_with, render_learner_table


def records():
    """finetune chose the rows; nb is trained on the same manifests; 3 seeds, one round, two arms,
    and a full-data model each."""
    rows = []
    own = {"within_bucket": [0.80, 0.82, 0.81], "random": [0.78, 0.79, 0.80]}
    other = {"within_bucket": [0.75, 0.78, 0.74], "random": [0.79, 0.77, 0.80]}
    for arm in own:
        for seed in range(3):
            rows.append(dict(learner="finetune", arm=arm, seed=seed, round=1, n_labeled=100,
                             accuracy=own[arm][seed], cpu_s=60.0 + seed))
            rows.append(dict(learner="nb", arm=arm, seed=seed, round=1, n_labeled=100,
                             accuracy=other[arm][seed], cpu_s=1.0))
    rows.append(dict(learner="finetune", arm="ceiling", seed=0, round=None, n_labeled=1000, accuracy=0.90, cpu_s=900.0))
    rows.append(dict(learner="nb", arm="ceiling", seed=0, round=None, n_labeled=1000, accuracy=0.82, cpu_s=5.0))
    return pd.DataFrame(rows), own, other


def test_paired_with_pairs_seed_by_seed_and_holm_adjusts_over_every_test():
    df, own, other = records()
    pairs = paired_with(df, "accuracy", "finetune").set_index("arm")
    assert sorted(pairs.index) == ["random", "within_bucket"]  # no pairing of full-data models
    raw = [paired_p(other[arm], own[arm]) for arm in ["within_bucket", "random"]]
    for arm, p in zip(["within_bucket", "random"], holm(raw)):
        assert pairs.loc[arm, "diff"] == pytest.approx(np.mean(np.subtract(other[arm], own[arm])))
        assert pairs.loc[arm, "p_holm"] == pytest.approx(p)
    assert pairs.loc["within_bucket", "diff"] == pytest.approx(-0.0533, abs=1e-4)


def test_paired_with_uses_only_seeds_both_learners_have():
    df, own, other = records()
    df = df[~((df["learner"] == "finetune") & (df["seed"] == 2))]
    pairs = paired_with(df, "accuracy", "finetune").set_index("arm")
    assert pairs.loc["random", "diff"] == pytest.approx(np.mean(np.subtract(other["random"][:2], own["random"][:2])))


def test_learner_table_carries_the_pairs_the_fraction_of_full_and_cpu():
    df, own, _ = records()
    table = learner_table(df, "accuracy", "finetune")
    mine = table[(table["learner"] == "finetune") & (table["arm"] == "within_bucket")].iloc[0]
    assert mine["mean"] == pytest.approx(np.mean(own["within_bucket"]))
    assert mine["of_full"] == pytest.approx(np.mean(own["within_bucket"]) / 0.90)
    assert pd.isna(mine["diff"]) and pd.isna(mine["p_holm"])
    assert mine["cpu_s"] == pytest.approx(61.0) and mine["cpu_s_total"] == pytest.approx(183.0)
    nb = table[(table["learner"] == "nb") & (table["arm"] == "within_bucket")].iloc[0]
    assert nb["diff"] == pytest.approx(-0.0533, abs=1e-4)
    assert table[table["arm"] == "ceiling"]["diff"].isna().all()
    assert list(table["arm"])[-2:] == ["ceiling", "ceiling"]


def test_render_shows_the_paired_block_and_ends_with_the_cpu_totals():
    df, _, _ = records()
    table = learner_table(df, "accuracy", "finetune")
    text = render_learner_table(table, "accuracy", ["finetune", "nb"], "finetune")
    lines = text.splitlines()
    assert any(line.startswith("paired with finetune") and "2 paired t-tests" in line for line in lines)
    assert "-0.0533" in text
    assert lines[-1] == "CPU seconds in all: finetune 1266, nb 11"


def test_cpu_seconds_reads_the_benchmark_and_is_nan_without_one(tmp_path):
    bench = tmp_path / "train.tsv"
    bench.write_text("s\th:m:s\tmax_rss\tcpu_time\n12.5\t0:00:12\t100\t20.25\n")
    assert cpu_seconds(bench) == pytest.approx(20.25)
    assert np.isnan(cpu_seconds(tmp_path / "missing.tsv"))
