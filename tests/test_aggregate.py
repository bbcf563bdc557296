"""Step 12: summary, per-round and AUC tables with their paired tests, curve statistics, text and plot.

Expectations are worked out by hand from the small frame below. Two facts used throughout: with three
labelled-set sizes evenly spaced, a seed's AUC is (y0 + 2*y1 + y2) / 4; and a paired t-test on three
pairs (2 df) has two-sided p = 1 - t / sqrt(2 + t^2)."""

from __future__ import annotations

import json
import math
import random
import os
import runpy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ttest_rel

from bucket_al.stopping import STOPPING_COLUMNS
from bucket_al.aggregate import (
    arm_rows,
    AUC_COLUMNS,
    CONSTANT_NOTE,
    FEW_NOTE,
    pair_table,
    ROUND_COLUMNS,
    SUMMARY_COLUMNS,
    ZERO_NOTE,
    area_under_curve,
    auc_table,
    curve_stats,
    holm,
    labels_to_reach,
    mean_curve,
    paired_p,
    paired_test,
    plot_learning_curve,
    reading,
    render_text,
    round_table,
    seed_auc,
    twin_auc_over,
    summary_frame,
    t_interval,
)
from bucket_al.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
N_LABELED = [20, 40, 60]
RANDOM = [[0.69, 0.70, 0.71], [0.75, 0.73, 0.77], [0.86, 0.80, 0.84]]
ACC = {  # arm -> round -> accuracy per seed 0, 1, 2
    "within_bucket": [[0.70, 0.72, 0.74], [0.80, 0.78, 0.82], [0.85, 0.86, 0.90]],
    "random": RANDOM,
    # random + 0.01, 0.02, 0.03 on seeds 0, 1, 2 in every round
    "recluster": [[a + 0.01 * (s + 1) for s, a in enumerate(accs)] for accs in RANDOM],
}
CEILING = [0.90, 0.92, 0.94]
ARMS = ["within_bucket", "recluster"]
P_123 = 1 - math.sqrt(6 / 7)  # differences 0.01, 0.02, 0.03: t = 2*sqrt(3) on 2 df
T975_2DF = 0.95 / math.sqrt(2 * 0.975 * 0.025)  # 97.5 % quantile of t with 2 df, closed form
# per-seed AUCs, (y0 + 2*y1 + y2) / 4
WB_AUC = [3.15 / 4, 3.14 / 4, 3.28 / 4]
RANDOM_AUC = [3.05 / 4, 2.96 / 4, 3.09 / 4]
WB_DIFF = np.subtract(WB_AUC, RANDOM_AUC)  # 0.025, 0.045, 0.0475
WB_T = WB_DIFF.mean() / (WB_DIFF.std(ddof=1) / math.sqrt(3))
WB_P = 1 - WB_T / math.sqrt(2 + WB_T**2)  # about 0.0315


def metrics_list():
    out = []
    for arm, rounds in ACC.items():
        for r, accs in enumerate(rounds):
            for seed, acc in enumerate(accs):
                out.append({"arm": arm, "seed": seed, "round": r, "n_labeled": N_LABELED[r], "accuracy": acc,
                            "micro_f1": acc, "macro_f1": acc - 0.1, "per_class_f1": {"a": acc}, "n_eval": 100})
    # a seed only within_bucket has, and only its round 0: never paired, no complete curve
    out.append({"arm": "within_bucket", "seed": 9, "round": 0, "n_labeled": 20, "accuracy": 0.10, "micro_f1": 0.1, "macro_f1": 0.1})
    for seed, acc in enumerate(CEILING):
        out.append({"arm": "ceiling", "seed": seed, "round": None, "n_labeled": 1000, "accuracy": acc,
                    "micro_f1": acc, "macro_f1": acc - 0.1})
    random.Random(0).shuffle(out)
    return out


@pytest.fixture
def summary():
    return summary_frame(metrics_list())


def test_summary_frame(summary):
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert len(summary) == 3 * 9 + 1 + 3
    assert summary["arm"].tolist()[:3] == ["ceiling"] * 3
    assert summary["round"].dtype == "Int64"
    assert summary.loc[summary["arm"] == "ceiling", "round"].isna().all()
    wb = summary[summary["arm"] == "within_bucket"]
    assert list(zip(wb["seed"], wb["round"]))[:4] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert wb["seed"].tolist()[-1] == 9
    row = summary[(summary["arm"] == "random") & (summary["seed"] == 2) & (summary["round"] == 1)]
    assert row["accuracy"].item() == 0.77 and row["n_labeled"].item() == 40


# --- paired test, Holm, t-interval ----------------------------------------------------------------


def test_paired_test_hand_computed_and_against_scipy():
    assert paired_test([0.71, 0.72, 0.73], [0.70, 0.70, 0.70]) == (pytest.approx(P_123, rel=1e-6), "")
    a, b = np.array([0.85, 0.86, 0.90]), np.array([0.86, 0.80, 0.84])
    assert paired_p(a, b) == pytest.approx(ttest_rel(a, b).pvalue, rel=1e-12)


@pytest.mark.parametrize("a, b", [([0.7], [0.6]), ([], [])])
def test_paired_test_fewer_than_two_pairs_is_nan(a, b):
    p, note = paired_test(a, b)
    assert math.isnan(p) and note == FEW_NOTE


def test_paired_test_constant_nonzero_difference_is_p_zero():
    # 0.80 - 0.75, 0.78 - 0.73, 0.82 - 0.77 differ in the last bits of a float: still constant
    assert paired_test([0.80, 0.78, 0.82], [0.75, 0.73, 0.77]) == (0.0, CONSTANT_NOTE)
    assert paired_test([0.5, 0.6], [0.6, 0.7]) == (0.0, CONSTANT_NOTE)  # negative too
    assert CONSTANT_NOTE == "constant difference over seeds"


def test_paired_test_all_zero_difference_is_p_one():
    assert paired_test([0.8, 0.7, 0.9], [0.8, 0.7, 0.9]) == (1.0, ZERO_NOTE)


def test_holm_hand_computed():
    # sorted 0.01, 0.03, 0.04 -> 3*0.01, 2*0.03, max(0.06, 1*0.04)
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    # sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, max(0.06, 0.04)
    np.testing.assert_allclose(holm([0.04, 0.01, 0.03, 0.005]), [0.06, 0.03, 0.06, 0.02])
    np.testing.assert_allclose(holm([0.6, 0.5]), [1.0, 1.0])  # capped at 1
    np.testing.assert_allclose(holm([0.0, 0.2]), [0.0, 0.2])


def test_holm_leaves_nan_out_of_the_family():
    np.testing.assert_allclose(holm([0.02, np.nan, 0.01]), [0.02, np.nan, 0.02])  # m = 2, not 3
    assert holm([]).shape == (0,)
    assert np.isnan(holm([np.nan])).all()


def test_t_interval_hand_computed():
    lo, hi = t_interval([0.01, 0.02, 0.03])
    half = T975_2DF * 0.01 / math.sqrt(3)
    assert (lo, hi) == (pytest.approx(0.02 - half), pytest.approx(0.02 + half))
    assert all(math.isnan(v) for v in t_interval([0.5]))


# --- per-round table --------------------------------------------------------------------------------


def test_round_table_hand_computed(summary):
    table = round_table(summary, ARMS, "accuracy")
    assert list(table.columns) == ROUND_COLUMNS
    assert (table["metric"] == "accuracy").all()
    assert list(zip(table["arm"], table["round"])) == [(a, r) for a in ARMS for r in range(3)]
    assert table["n_labeled"].tolist() == N_LABELED * 2
    assert table["seeds"].tolist() == [3] * 6  # seed 9 has no twin
    wb = table[table["arm"] == "within_bucket"].set_index("round")
    r0 = wb.loc[0]
    assert r0["arm_mean"] == pytest.approx(0.72) and r0["arm_std"] == pytest.approx(0.02)
    assert r0["random_mean"] == pytest.approx(0.70) and r0["random_std"] == pytest.approx(0.01)
    assert r0["diff_mean"] == pytest.approx(0.02) and r0["diff_std"] == pytest.approx(0.01)
    assert r0["p_value"] == pytest.approx(P_123, rel=1e-6) and r0["note"] == ""
    # round 1: the difference is 0.05 on every seed -> infinite t -> p = 0 with a note
    r1 = wb.loc[1]
    assert r1["diff_mean"] == pytest.approx(0.05) and r1["diff_std"] == pytest.approx(0.0, abs=1e-12)
    assert r1["p_value"] == 0.0 and r1["note"] == CONSTANT_NOTE
    r2 = wb.loc[2]
    s, t = np.array(ACC["within_bucket"][2]), np.array(RANDOM[2])
    assert r2["diff_mean"] == pytest.approx(0.11 / 3)
    assert r2["p_value"] == pytest.approx(ttest_rel(s, t).pvalue, rel=1e-9)
    assert r2["random_mean"] == pytest.approx(2.5 / 3)
    rc = table[table["arm"] == "recluster"]
    np.testing.assert_allclose(rc["diff_mean"], 0.02)
    np.testing.assert_allclose(rc["p_value"], P_123, rtol=1e-6)


def test_round_table_holm_over_all_arms_and_rounds(summary):
    table = round_table(summary, ARMS, "accuracy")
    # family of 6: one p = 0, four p = P_123 (wb round 0, recluster 0..2), one p ~ 0.26 (wb round 2).
    # sorted: 6*0 = 0, then 5*P_123 and the cumulative max keeps 5*P_123 for all that follow.
    expected = [5 * P_123, 0.0, 5 * P_123] + [5 * P_123] * 3
    np.testing.assert_allclose(table["p_holm"], expected, rtol=1e-6)
    assert (table["p_holm"] >= table["p_value"]).all()
    # the family is the whole table: one arm alone gives a smaller correction
    alone = round_table(summary, ["within_bucket"], "accuracy")
    # within_bucket round 2: differences -0.01, 0.06, 0.06; sorted 3*0, 2*P_123, max(2*P_123, p2)
    d = np.array([-0.01, 0.06, 0.06])
    t = d.mean() / (d.std(ddof=1) / math.sqrt(3))
    p2 = 1 - t / math.sqrt(2 + t**2)  # about 0.257 > 2*P_123
    np.testing.assert_allclose(alone["p_holm"], [2 * P_123, 0.0, p2], rtol=1e-6)


def test_round_table_other_metric(summary):
    table = round_table(summary, ["within_bucket"], metric="macro_f1")
    assert (table["metric"] == "macro_f1").all()
    assert table["arm_mean"].iloc[0] == pytest.approx(0.62)
    assert table["random_mean"].iloc[0] == pytest.approx(0.60)
    with pytest.raises(ConfigError, match=r"^evaluate\.metric: unknown metric 'f1'"):
        round_table(summary, ["within_bucket"], metric="f1")


def test_round_table_single_seed_is_untested(summary):
    one = summary[summary["seed"] == 0]
    table = round_table(one, ["within_bucket"], "accuracy")
    assert table["seeds"].tolist() == [1, 1, 1]
    assert table["p_value"].isna().all() and table["p_holm"].isna().all()
    assert (table["note"] == FEW_NOTE).all()


# --- curves and AUC ---------------------------------------------------------------------------------


def test_area_under_curve():
    curve = pd.DataFrame({"n_labeled": [20, 40, 60], "mean": [0.6, 0.7, 0.9]})
    # trapezoids 0.65*20 + 0.8*20 over width 40
    assert area_under_curve(curve) == pytest.approx(0.725)
    uneven = pd.DataFrame({"n_labeled": [10, 20, 50], "mean": [0.5, 0.7, 0.7]})
    assert area_under_curve(uneven) == pytest.approx((0.6 * 10 + 0.7 * 30) / 40)
    assert area_under_curve(uneven.iloc[::-1]) == pytest.approx((0.6 * 10 + 0.7 * 30) / 40)  # any row order
    assert area_under_curve(pd.DataFrame({"n_labeled": [30], "mean": [0.81]})) == pytest.approx(0.81)
    assert area_under_curve(curve.rename(columns={"mean": "accuracy"}), "accuracy") == pytest.approx(0.725)


def test_seed_auc_one_per_seed_incomplete_curve_left_out(summary):
    wb = seed_auc(summary, "within_bucket", "accuracy")
    assert wb.index.tolist() == [0, 1, 2]  # seed 9 has only round 0
    np.testing.assert_allclose(wb, WB_AUC)
    np.testing.assert_allclose(seed_auc(summary, "random", "accuracy"), RANDOM_AUC)
    np.testing.assert_allclose(seed_auc(summary, "random", "macro_f1"), np.subtract(RANDOM_AUC, 0.1))


def test_auc_table_ranked_with_paired_test_and_holm(summary):
    table = auc_table(summary, ARMS, "accuracy")
    assert list(table.columns) == AUC_COLUMNS
    assert table["arm"].tolist() == ["within_bucket", "recluster", "random"]  # means 0.7975, 0.7783, 0.7583
    assert table["rank"].tolist() == [1, 2, 3]
    wb, rc, rnd = (row for _, row in table.iterrows())
    assert wb["seeds"] == 3 and wb["paired_seeds"] == 3
    assert wb["auc_mean"] == pytest.approx(0.7975)
    half = T975_2DF * np.std(WB_AUC, ddof=1) / math.sqrt(3)
    assert (wb["auc_ci_low"], wb["auc_ci_high"]) == (pytest.approx(0.7975 - half), pytest.approx(0.7975 + half))
    assert wb["diff_mean"] == pytest.approx(0.1175 / 3)
    half = T975_2DF * WB_DIFF.std(ddof=1) / math.sqrt(3)
    assert wb["diff_ci_low"] == pytest.approx(0.1175 / 3 - half)
    assert wb["diff_ci_high"] == pytest.approx(0.1175 / 3 + half)
    assert wb["p_value"] == pytest.approx(WB_P, rel=1e-6)
    # recluster's AUC is random's + 0.01, 0.02, 0.03
    assert rc["auc_mean"] == pytest.approx(2.275 / 3 + 0.02)
    assert rc["diff_mean"] == pytest.approx(0.02) and rc["p_value"] == pytest.approx(P_123, rel=1e-6)
    # Holm over the two arms: 2*0.0315 = 0.063, then max(0.063, 0.0742)
    assert wb["p_holm"] == pytest.approx(2 * WB_P, rel=1e-6)
    assert rc["p_holm"] == pytest.approx(P_123, rel=1e-6)
    assert wb["p_value"] < 0.05 < wb["p_holm"]  # the correction decides here
    assert rnd["note"] == "reference" and rnd["auc_mean"] == pytest.approx(2.275 / 3)
    assert pd.isna(rnd["p_value"]) and pd.isna(rnd["diff_mean"]) and pd.isna(rnd["p_holm"])


def test_auc_table_ties_share_a_rank(summary):
    twin = summary[summary["arm"] == "random"].assign(arm="copy")
    table = auc_table(pd.concat([summary, twin]), ["copy"], "accuracy")
    assert table["arm"].tolist() == ["copy", "random"] and table["rank"].tolist() == [1, 1]
    assert table["p_value"].iloc[0] == 1.0 and table["note"].iloc[0] == ZERO_NOTE


def test_auc_table_other_metric(summary):
    table = auc_table(summary, ARMS, metric="macro_f1")
    assert (table["metric"] == "macro_f1").all()
    assert table["auc_mean"].iloc[0] == pytest.approx(0.6975)
    assert table["diff_mean"].iloc[0] == pytest.approx(0.1175 / 3)


def test_labels_to_reach():
    curve = pd.DataFrame({"n_labeled": [20, 40, 60], "mean": [0.6, 0.7, 0.9]})
    assert labels_to_reach(curve, 0.6) == 20
    assert labels_to_reach(curve, 0.65) == 40
    assert labels_to_reach(curve, 0.9) == 60
    assert labels_to_reach(curve, 0.95) is None
    assert isinstance(labels_to_reach(curve, 0.7), int)


def test_mean_curve(summary):
    curve = mean_curve(summary, "random", "accuracy")
    assert curve["n_labeled"].tolist() == N_LABELED
    np.testing.assert_allclose(curve["mean"], [0.70, 0.75, 2.5 / 3])
    np.testing.assert_allclose(mean_curve(summary, "random", "macro_f1")["mean"], [0.60, 0.65, 2.5 / 3 - 0.1])


# --- curve statistics, text, plot -------------------------------------------------------------------


def test_curve_stats(summary):
    paired = summary[summary["seed"] != 9]  # keep within_bucket's mean curve to the paired seeds
    stats = curve_stats(paired, auc_table(paired, ARMS, "accuracy"), [0.75, 0.9, 0.95])
    assert set(stats) == {"ceiling", "within_bucket", "recluster", "random"}
    assert stats["ceiling"] == {"metric": "accuracy", "accuracy_mean": pytest.approx(0.92),
                                "accuracy_std": pytest.approx(0.02), "n_labeled": 1000}
    wb = stats["within_bucket"]
    # means 0.72, 0.80, 0.87 -> ((0.76 + 0.835) * 20) / 40, the mean of the per-seed AUCs
    assert wb["area_under_curve"] == pytest.approx(0.7975) and wb["rank"] == 1 and wb["seeds"] == 3
    half = T975_2DF * np.std(WB_AUC, ddof=1) / math.sqrt(3)
    assert wb["auc_ci95"] == [pytest.approx(0.7975 - half), pytest.approx(0.7975 + half)]
    assert stats["random"]["area_under_curve"] == pytest.approx((0.725 + (0.75 + 2.5 / 3) / 2) / 2)
    # targets: 0.69, 0.828, 0.874
    assert wb["labels_to_reach"] == {"0.75": 20, "0.9": 60, "0.95": None}
    assert stats["random"]["labels_to_reach"] == {"0.75": 20, "0.9": 60, "0.95": None}
    test = wb["vs_random"]
    assert test["paired_seeds"] == 3 and test["diff_mean"] == pytest.approx(0.1175 / 3)
    assert test["p_value"] == pytest.approx(WB_P, rel=1e-6) and test["p_holm"] == pytest.approx(2 * WB_P, rel=1e-6)
    assert test["supported"] is False and len(test["diff_ci95"]) == 2
    assert "vs_random" not in stats["random"]
    json.dumps(stats, allow_nan=False)  # plain JSON: no NaN, no numpy types


def test_curve_stats_other_metric_and_single_ceiling_run(summary):
    one = summary[(summary["arm"] != "ceiling") | (summary["seed"] == 1)]
    stats = curve_stats(one, auc_table(one, ["within_bucket"], "macro_f1"), [0.5])
    assert stats["ceiling"] == {"metric": "macro_f1", "macro_f1_mean": pytest.approx(0.82), "macro_f1_std": 0.0,
                                "n_labeled": 1000}
    assert stats["random"]["area_under_curve"] == pytest.approx(2.275 / 3 - 0.1)


def test_reading_never_claims_what_the_test_does_not_support():
    row = {"arm": "a", "diff_mean": 0.03, "p_value": 0.01, "p_holm": 0.02, "note": ""}
    assert reading(row) == "a: AUC higher than random by 0.0300, supported by the paired test (Holm p = 0.020 < 0.05)"
    assert reading(row | {"diff_mean": -0.03}).startswith("a: AUC lower than random by 0.0300, supported")
    assert reading(row | {"p_value": 0.0, "p_holm": 0.0}).endswith("(Holm p = 0 < 0.05)")
    weak = reading(row | {"p_holm": 0.06})
    assert weak == ("a: AUC difference to random +0.0300 is not supported by the paired test (Holm p = 0.060 >= 0.05); "
                    "the arms cannot be told apart")
    untested = reading(row | {"p_value": float("nan"), "p_holm": float("nan"), "note": FEW_NOTE})
    assert untested == f"a: AUC difference to random +0.0300 cannot be tested ({FEW_NOTE})"
    assert "lead" not in weak + untested


def test_render_text(summary):
    paired = summary[summary["seed"] != 9]
    table, auc = round_table(paired, ARMS, "accuracy"), auc_table(paired, ARMS, "accuracy")
    stats = curve_stats(paired, auc, [0.9, 0.95])
    text = render_text(table, auc, stats, 3, ["pool: 2 duplicate sentences dropped", "eval: 1 empty row"])
    assert text.endswith("\n")
    lines = text.splitlines()
    assert lines[:3] == ["metric: accuracy; seeds: 3", "data warning: pool: 2 duplicate sentences dropped",
                         "data warning: eval: 1 empty row"]
    assert "data warnings: none" in render_text(table, auc, stats, 3)
    assert "data warnings: none" in render_text(table, auc, stats, 3, [])
    noted = render_text(table, auc, stats, 3, notes=["multi-label: 3 labels"]).splitlines()
    assert noted[:3] == ["metric: accuracy; seeds: 3", "data: multi-label: 3 labels", "data warnings: none"]
    # per arm, the per-round table with p and p_holm
    heads = [i for i, line in enumerate(lines) if line.startswith("accuracy per round")]
    assert len(heads) == 2 and "within_bucket vs random" in lines[heads[0]] and "recluster vs random" in lines[heads[1]]
    assert "Holm over all 6 arm x round tests" in lines[heads[0]]
    r0 = lines[heads[0] + 2].split()
    assert r0[:3] == ["0", "20", "3"] and "0.7200 ± 0.0200" in lines[heads[0] + 2]
    assert r0[-2:] == [f"{P_123:.3f}", f"{5 * P_123:.3f}"]
    r1 = lines[heads[0] + 3]
    assert r1.split()[-6:] == ["0", "0", "constant", "difference", "over", "seeds"]
    # the ranked AUC table, best first
    top = next(i for i, line in enumerate(lines) if line.startswith("area under the accuracy curve per seed"))
    ranked = [lines[top + 2 + i].split() for i in range(3)]
    assert [r[:2] for r in ranked] == [["1", "within_bucket"], ["2", "recluster"], ["3", "random"]]
    assert ranked[0][3] == "0.7975" and ranked[0][-2:] == [f"{WB_P:.3f}", f"{2 * WB_P:.3f}"]
    assert ranked[2][-1] == "reference"
    assert "ceiling (1000 labels): 0.9200 ± 0.0200" in text
    assert "within_bucket: labels to reach 0.9 of ceiling: 60, 0.95 of ceiling: not reached" in lines
    assert top < lines.index("ceiling (1000 labels): 0.9200 ± 0.0200")
    # one reading per arm: raw p 0.031 < 0.05 but Holm p 0.063 is not, so no claim
    assert lines[-2] == ("within_bucket: AUC difference to random +0.0392 is not supported by the paired test "
                         f"(Holm p = {2 * WB_P:.3f} >= 0.05); the arms cannot be told apart")
    assert lines[-1].startswith("recluster: AUC difference to random +0.0200 is not supported")
    assert "lead" not in text


def test_plot_learning_curve_writes_png_with_every_arm(tmp_path, summary, monkeypatch):
    from matplotlib.figure import Figure

    seen = {}
    savefig = Figure.savefig

    def spy(fig, *args, **kwargs):
        ax = fig.axes[0]
        seen["ylabel"], seen["legend"] = ax.get_ylabel(), [t.get_text() for t in ax.get_legend().get_texts()]
        return savefig(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    path = tmp_path / "plots" / "curve.png"
    plot_learning_curve(summary, [*ARMS, "random"], path, metric="macro_f1")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000
    assert [p.name for p in path.parent.iterdir()] == ["curve.png"]  # no temp file left
    assert seen["ylabel"] == "macro_f1 on the eval split"
    assert seen["legend"] == [*ARMS, "random", "ceiling (all 1000 rows)"]


# --- the rule's script ------------------------------------------------------------------------------


@pytest.fixture
def thread_env(monkeypatch):
    """run_step sets OMP_NUM_THREADS / MKL_NUM_THREADS from the rule's threads: undone afterwards."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(var, os.environ.get(var, "1"))


class Inputs(dict):
    """A rule's named inputs as a script sees them: by attribute and by key (snakemake's Namedlist)."""
    __getattr__ = dict.__getitem__


def run_script(tmp_path, labels: dict, metric="accuracy", stopping: str | None = None):
    metrics, ceiling = [], []
    for i, m in enumerate(metrics_list()):
        path = tmp_path / "metrics" / f"{i}.json"
        path.parent.mkdir(exist_ok=True)
        (ceiling if m["arm"] == "ceiling" else metrics).append(str(path))
        path.write_text(json.dumps({"unit": m.pop("arm"), **m}))  # as the evaluate step writes it
    (tmp_path / "labels.json").write_text(json.dumps(labels))
    zero_shot = tmp_path / "zero_shot.json"  # as the zero_shot step writes it: 0 labels, no seed or round
    zero_shot.write_text(json.dumps({"unit": "zero_shot", "seed": None, "round": None, "n_labeled": 0,
                                     "accuracy": 0.6, "micro_f1": 0.6, "macro_f1": 0.55}))
    stops = tmp_path / "stopping.csv"
    stops.write_text(stopping or ",".join(STOPPING_COLUMNS) + "\n")
    out = tmp_path / "out"
    names = {"summary": "summary.csv", "round_table": "round_table.csv", "auc_table": "auc_table.csv",
             "pair_table": "pair_table.csv", "round_text": "round_table.txt", "curve": "curve_stats.json",
             "plot": "learning_curve.png"}
    # as rules/aggregate.smk passes them: metrics_<i> (one per arm and seed), the ceilings apart
    inputs = Inputs({"metrics_0": metrics[:3], "metrics_1": metrics[3], "metrics_2": metrics[4:]},
                    ceiling=ceiling, stopping=str(stops), labels=str(tmp_path / "labels.json"), zero_shot=str(zero_shot))
    smk = SimpleNamespace(
        input=inputs,
        output=SimpleNamespace(**{k: str(out / v) for k, v in names.items()}),
        params=SimpleNamespace(arms={arm: arm for arm in ARMS}, metric=metric, ceiling_fractions=[0.9, 0.95],
                               stopped=False, within=0.01, stop_set=2000, stop=None),
        log=[str(tmp_path / "aggregate.log")], threads=1, rule="aggregate",
    )
    runpy.run_path(str(ROOT / "workflow" / "scripts" / "aggregate.py"), init_globals={"snakemake": smk})
    return out


def test_script_writes_every_output_and_passes_the_warnings(tmp_path, thread_env):
    out = run_script(tmp_path, {"values": [0, 1], "names": ["a", "b"], "warnings": ["pool: 3 rows dropped"]},
                     metric="macro_f1")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["summary.csv", "round_table.csv", "auc_table.csv", "pair_table.csv", "round_table.txt", "curve_stats.json",
         "learning_curve.png"])
    pairs = pd.read_csv(out / "pair_table.csv")  # recluster against the seed's within_bucket (no entropy arm here)
    assert pairs[["arm", "reference"]].values.tolist() == [["recluster", "within_bucket"]]
    assert "arm against arm" in (out / "round_table.txt").read_text()
    assert list(pd.read_csv(out / "summary.csv").columns) == SUMMARY_COLUMNS
    table = pd.read_csv(out / "round_table.csv", keep_default_na=False)
    assert list(table.columns) == ROUND_COLUMNS and set(table["metric"]) == {"macro_f1"}
    auc = pd.read_csv(out / "auc_table.csv")
    assert list(auc.columns) == AUC_COLUMNS and auc["arm"].tolist() == ["within_bucket", "recluster", "random"]
    stats = json.loads((out / "curve_stats.json").read_text())
    assert stats["ceiling"]["metric"] == "macro_f1" and "vs_random" in stats["recluster"]
    text = (out / "round_table.txt").read_text()
    assert text.startswith("metric: macro_f1; seeds: 3\ndata warning: pool: 3 rows dropped\n")
    assert "zero-shot (0 labels, embedding similarity to the label texts): 0.5500" in text
    assert stats["zero_shot"]["macro_f1"] == 0.55 and stats["zero_shot"]["n_labeled"] == 0


def test_script_tolerates_labels_without_warnings(tmp_path, thread_env):
    out = run_script(tmp_path, {"values": [0, 1], "names": ["a", "b"]})
    assert "data warnings: none" in (out / "round_table.txt").read_text()


def test_rule_passes_what_the_script_reads():
    rule = (ROOT / "rules" / "aggregate.smk").read_text()
    for name in ('**model_files("metrics.json", "metrics")', "ceiling=ceiling_metrics", 'labels=f"{DATA}/labels.json"',
                 'stopping=f"{OUT}/stopping.csv"', "stopped=STOP is not None", 'within=config["stopping"]["oracle_within"]', "arms={name: arm.cold_unit",
                 'metric=config["evaluate"]["metric"]', "ceiling_fractions=", 'f"{OUT}/auc_table.csv"',
                 "../workflow/report/auc_table.rst"):
        assert name in rule, name
    assert (ROOT / "workflow" / "report" / "auc_table.rst").is_file()


def test_arm_rows_share_a_cold_start_model_between_arms():
    """Two arms starting from the same cold start share its round-0 model; an arm whose cold start is
    random shares the random twin's round 0; the ceiling and the twin keep their own rows."""
    m = lambda unit, rnd, acc: {"unit": unit, "seed": 0, "round": rnd, "n_labeled": 10 * (rnd or 0) + 10,
                               "accuracy": acc, "micro_f1": acc, "macro_f1": acc}
    metrics = [m("cold_start/buckets", 0, 0.5), m("a", 1, 0.6), m("b", 1, 0.7), m("c", 1, 0.8),
               m("random", 0, 0.4), m("random", 1, 0.45), {**m("ceiling", None, 0.9), "n_labeled": 100}]
    rows = arm_rows(metrics, {"a": "cold_start/buckets", "b": "cold_start/buckets", "c": "random"})
    got = sorted((r["arm"], r["round"] if r["round"] is not None else -1, r["accuracy"], r["model"]) for r in rows)
    assert got == sorted([
        ("a", 0, 0.5, "cold_start/buckets"), ("b", 0, 0.5, "cold_start/buckets"), ("a", 1, 0.6, "a"), ("b", 1, 0.7, "b"),
        ("c", 0, 0.4, "random"), ("c", 1, 0.8, "c"), ("random", 0, 0.4, "random"), ("random", 1, 0.45, "random"),
        ("ceiling", -1, 0.9, "ceiling")])


def test_stopped_arms_are_compared_with_the_twin_over_their_own_rounds():
    """With selection.stop an arm's seeds end at different rounds; each seed's AUC covers the rounds
    it ran, and the twin's, paired with it, the same labelled-set sizes (hand-computed)."""
    rows = []
    for seed, accs in {0: [0.5, 0.7], 1: [0.5, 0.6, 0.9]}.items():  # seed 0 stopped after round 1
        rows += [{"arm": "a", "seed": seed, "round": r, "n_labeled": 10 * (r + 1), "accuracy": acc, "micro_f1": acc, "macro_f1": acc}
                 for r, acc in enumerate(accs)]
    for seed in (0, 1):
        rows += [{"arm": "random", "seed": seed, "round": r, "n_labeled": 10 * (r + 1), "accuracy": acc,
                  "micro_f1": acc, "macro_f1": acc} for r, acc in enumerate([0.5, 0.5, 0.5])]
    rows.append({"arm": "ceiling", "seed": 0, "round": None, "n_labeled": 100, "accuracy": 1.0, "micro_f1": 1.0, "macro_f1": 1.0})
    summary = pd.DataFrame(rows)
    # seed 0: (0.5 + 0.7) / 2 = 0.6 over 10..20; seed 1: ((0.5 + 0.6) / 2 + (0.6 + 0.9) / 2) / 2 = 0.65 over 10..30
    assert seed_auc(summary, "a", "accuracy", complete=False).tolist() == pytest.approx([0.6, 0.65])
    assert seed_auc(summary, "a", "accuracy").index.tolist() == [1]  # complete: only the seed with every size
    assert twin_auc_over(summary, "a", "accuracy").tolist() == pytest.approx([0.5, 0.5])
    table = auc_table(summary, ["a"], "accuracy", complete=False).set_index("arm")
    assert table.loc["a", "diff_mean"] == pytest.approx(0.125) and table.loc["a", "paired_seeds"] == 2


def test_pair_table_pairs_each_arm_with_each_reference_seed_by_seed():
    rows = []
    for seed in range(4):
        for arm, base in (("within_bucket", 0.70), ("entropy", 0.72), ("coreset", 0.71), ("random", 0.69)):
            for r, n in enumerate((100, 200)):
                rows.append({"arm": arm, "seed": seed, "round": r, "n_labeled": n, "accuracy": base + 0.01 * r + 0.001 * seed, "micro_f1": 0.0,
                             "macro_f1": 0.0, "model": arm})
    summary = summary_frame(rows)
    pairs = pair_table(summary, {"within_bucket": "cold_start/buckets", "entropy": "random", "coreset": "random"},
                       "accuracy")
    assert pairs[["arm", "reference"]].values.tolist() == [["entropy", "within_bucket"], ["coreset", "within_bucket"],
                                                           ["within_bucket", "entropy"], ["coreset", "entropy"]]
    got = pairs.set_index(["arm", "reference"])
    assert got.loc[("entropy", "within_bucket"), "diff_mean"] == pytest.approx(0.02)
    assert got.loc[("coreset", "entropy"), "diff_mean"] == pytest.approx(-0.01)
    assert got.loc[("coreset", "entropy"), "same_round0"] and not got.loc[("coreset", "within_bucket"), "same_round0"]
    assert (got["note"] == "constant difference over seeds").all() and (got["p_holm"] >= got["p_value"]).all()
