"""Step 12: summary, round table, curve statistics, text and plot."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ttest_rel

from bucket_al.aggregate import (
    SUMMARY_COLUMNS,
    area_under_curve,
    curve_stats,
    labels_to_reach,
    mean_curve,
    plot_learning_curve,
    render_text,
    round_table,
    summary_frame,
)

N_LABELED = [20, 40, 60]
ACC = {  # arm -> round -> accuracy per seed 0, 1, 2
    "within_bucket": [[0.70, 0.72, 0.74], [0.80, 0.78, 0.82], [0.85, 0.86, 0.90]],
    "random": [[0.69, 0.70, 0.71], [0.75, 0.73, 0.77], [0.86, 0.80, 0.84]],
}
CEILING = [0.90, 0.92, 0.94]


def metrics_list():
    out = []
    for arm, rounds in ACC.items():
        for r, accs in enumerate(rounds):
            for seed, acc in enumerate(accs):
                out.append({"arm": arm, "seed": seed, "round": r, "n_labeled": N_LABELED[r], "accuracy": acc,
                            "macro_f1": acc - 0.1, "per_class_f1": {"a": acc}, "n_eval": 100})
    # a seed only the strategy has: never paired
    out.append({"arm": "within_bucket", "seed": 9, "round": 0, "n_labeled": 20, "accuracy": 0.10, "macro_f1": 0.1})
    for seed, acc in enumerate(CEILING):
        out.append({"arm": "ceiling", "seed": seed, "round": None, "n_labeled": 1000, "accuracy": acc,
                    "macro_f1": acc - 0.1})
    random.Random(0).shuffle(out)
    return out


@pytest.fixture
def summary():
    return summary_frame(metrics_list())


def test_summary_frame(summary):
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert len(summary) == 2 * 9 + 1 + 3
    assert summary["arm"].tolist()[:3] == ["ceiling"] * 3
    assert summary["round"].dtype == "Int64"
    assert summary.loc[summary["arm"] == "ceiling", "round"].isna().all()
    wb = summary[summary["arm"] == "within_bucket"]
    assert list(zip(wb["seed"], wb["round"]))[:4] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert wb["seed"].tolist()[-1] == 9
    row = summary[(summary["arm"] == "random") & (summary["seed"] == 2) & (summary["round"] == 1)]
    assert row["accuracy"].item() == 0.77 and row["n_labeled"].item() == 40


def test_round_table_hand_computed(summary):
    table = round_table(summary, "within_bucket")
    assert table["round"].tolist() == [0, 1, 2]
    assert table["n_labeled"].tolist() == N_LABELED
    assert table["seeds"].tolist() == [3, 3, 3]  # seed 9 has no twin
    assert (table["strategy"] == "within_bucket").all()
    r0 = table.iloc[0]
    assert r0["strategy_acc_mean"] == pytest.approx(0.72)
    assert r0["strategy_acc_std"] == pytest.approx(0.02)
    assert r0["random_acc_mean"] == pytest.approx(0.70)
    assert r0["random_acc_std"] == pytest.approx(0.01)
    # differences 0.01, 0.02, 0.03: mean 0.02, sd 0.01, t = 2*sqrt(3) on 2 df,
    # two-sided p = 1 - t / sqrt(2 + t^2) = 1 - sqrt(6/7)
    assert r0["diff_acc_mean"] == pytest.approx(0.02)
    assert r0["diff_acc_std"] == pytest.approx(0.01)
    assert r0["p_value"] == pytest.approx(1 - math.sqrt(6 / 7), rel=1e-6)
    assert r0["strategy_f1_mean"] == pytest.approx(0.62)
    assert r0["random_f1_mean"] == pytest.approx(0.60)
    # round 1: the difference is 0.05 for every seed -> no variance -> p is NaN
    r1 = table.iloc[1]
    assert r1["diff_acc_mean"] == pytest.approx(0.05)
    assert r1["diff_acc_std"] == pytest.approx(0.0, abs=1e-12)
    assert math.isnan(r1["p_value"])
    # round 2 against scipy directly
    r2 = table.iloc[2]
    s, t = np.array(ACC["within_bucket"][2]), np.array(ACC["random"][2])
    assert r2["diff_acc_mean"] == pytest.approx(0.11 / 3)
    assert r2["p_value"] == pytest.approx(ttest_rel(s, t).pvalue, rel=1e-9)
    assert r2["random_acc_mean"] == pytest.approx(2.5 / 3)


def test_area_under_curve():
    curve = pd.DataFrame({"n_labeled": [20, 40, 60], "mean": [0.6, 0.7, 0.9]})
    # trapezoids 0.65*20 + 0.8*20 over width 40
    assert area_under_curve(curve) == pytest.approx(0.725)
    uneven = pd.DataFrame({"n_labeled": [10, 20, 50], "mean": [0.5, 0.7, 0.7]})
    assert area_under_curve(uneven) == pytest.approx((0.6 * 10 + 0.7 * 30) / 40)
    assert area_under_curve(pd.DataFrame({"n_labeled": [30], "mean": [0.81]})) == pytest.approx(0.81)


def test_labels_to_reach():
    curve = pd.DataFrame({"n_labeled": [20, 40, 60], "mean": [0.6, 0.7, 0.9]})
    assert labels_to_reach(curve, 0.6) == 20
    assert labels_to_reach(curve, 0.65) == 40
    assert labels_to_reach(curve, 0.9) == 60
    assert labels_to_reach(curve, 0.95) is None
    assert isinstance(labels_to_reach(curve, 0.7), int)


def test_mean_curve(summary):
    curve = mean_curve(summary, "random")
    assert curve["n_labeled"].tolist() == N_LABELED
    np.testing.assert_allclose(curve["mean"], [0.70, 0.75, 2.5 / 3])


def test_curve_stats(summary):
    wb = summary[summary["seed"] != 9]  # keep the strategy's curve to the paired seeds
    stats = curve_stats(wb, ["within_bucket", "random"], [0.75, 0.9, 0.95])
    assert stats["ceiling"]["accuracy_mean"] == pytest.approx(0.92)
    assert stats["ceiling"]["accuracy_std"] == pytest.approx(0.02)
    assert stats["ceiling"]["n_labeled"] == 1000
    # means 0.72, 0.80, 0.87 -> ((0.76 + 0.835) * 20) / 40
    assert stats["within_bucket"]["area_under_curve"] == pytest.approx(0.7975)
    assert stats["random"]["area_under_curve"] == pytest.approx((0.725 + (0.75 + 2.5 / 3) / 2) / 2)
    # targets: 0.69, 0.828, 0.874
    assert stats["within_bucket"]["labels_to_reach"] == {"0.75": 20, "0.9": 60, "0.95": None}
    assert stats["random"]["labels_to_reach"] == {"0.75": 20, "0.9": 60, "0.95": None}


def test_curve_stats_single_ceiling_run(summary):
    one = summary[(summary["arm"] != "ceiling") | (summary["seed"] == 1)]
    stats = curve_stats(one, ["random"], [0.5])
    assert stats["ceiling"] == {"accuracy_mean": pytest.approx(0.92), "accuracy_std": 0.0, "n_labeled": 1000}


def test_render_text(summary):
    arms = ["within_bucket", "random"]
    tables = [round_table(summary, "within_bucket")]
    stats = curve_stats(summary[summary["seed"] != 9], arms, [0.9, 0.95])
    text = render_text(tables, stats, arms)
    assert text.endswith("\n")
    assert "within_bucket vs random" in text
    assert "ceiling (1000 labels): 0.9200 ± 0.0200" in text
    assert "within_bucket: area under curve 0.7975; labels to reach 0.9 of ceiling: 60, 0.95 of ceiling: not reached" in text
    assert "random: area under curve" in text
    lines = text.splitlines()
    r0 = next(line for line in lines if line.split()[:2] == ["0", "20"])
    assert "0.7200 ± 0.0200" in r0 and "0.7000 ± 0.0100" in r0 and "0.0200 ± 0.0100" in r0
    assert r0.split()[-1] == f"{1 - math.sqrt(6 / 7):.3f}"
    r1 = next(line for line in lines if line.split()[:2] == ["1", "40"])
    assert r1.split()[-1] == "nan"


def test_plot_learning_curve_writes_png(tmp_path, summary):
    path = tmp_path / "plots" / "curve.png"
    plot_learning_curve(summary, ["within_bucket", "random"], path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000
    assert [p.name for p in path.parent.iterdir()] == ["curve.png"]  # no temp file left
