"""Stopping criteria (bucket_al.stopping) against small hand-computed cases."""
import numpy as np
import pandas as pd
import pytest

from bucket_al.errors import ConfigError
from bucket_al.rows import selectable
from bucket_al.score import rows_to_score
from bucket_al.stop_set import draw_stop_set
from bucket_al.stopping import (criterion_params, hindsight, oracle_round, parse_criteria, parse_stop,
                                stop_round, summary_lines, trace)


def onehot(pred, classes=2, sure=0.9):
    """Class probabilities whose argmax is ``pred``: ``sure`` on it, the rest spread evenly."""
    pred = np.asarray(pred)
    p = np.full((len(pred), classes), (1 - sure) / (classes - 1))
    p[np.arange(len(pred)), pred] = sure
    return p


def test_trace_kappa_and_change_by_hand():
    # [0,0,1,1] then [0,1,1,1]: observed agreement 3/4; chance agreement 1/2*1/4 + 1/2*3/4 = 1/2;
    # kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2; one of four predictions changed.
    t = trace([onehot([0, 0, 1, 1]), onehot([0, 1, 1, 1]), onehot([0, 1, 1, 1])])
    assert np.isnan(t.loc[0, "kappa"]) and np.isnan(t.loc[0, "changed"])
    assert t.loc[1, "kappa"] == pytest.approx(0.5) and t.loc[1, "changed"] == pytest.approx(0.25)
    assert t.loc[2, "kappa"] == 1.0 and t.loc[2, "changed"] == 0.0
    # normalised entropy of (0.9, 0.1): -(0.9 ln 0.9 + 0.1 ln 0.1) / ln 2 = 0.46900
    assert t["uncertainty"].tolist() == pytest.approx([0.468996] * 3, abs=1e-6)


def test_kappa_needs_a_full_window_of_agreeing_checks():
    a, b = [0, 0, 1, 1], [0, 1, 1, 1]
    params = {"window": 3, "threshold": 0.99}
    # kappas per check: 0.5, 1, 1, 1 -> windows of 3 checks: first complete window at round 3
    # (mean 0.833), then round 4 (mean 1.0)
    rounds = [onehot(a), onehot(b), onehot(b), onehot(b), onehot(b)]
    assert stop_round("kappa", params, [10, 20, 30, 40, 50], rounds) == 4
    # a lower threshold lets the mean of (0.5, 1, 1) = 0.833 through at round 3
    assert stop_round("kappa", {"window": 3, "threshold": 0.8}, [10, 20, 30, 40, 50], rounds) == 3
    # window 1: the first agreeing check (round 2)
    assert stop_round("kappa", {"window": 1, "threshold": 0.99}, [10, 20, 30, 40, 50], rounds) == 2
    # never stable: alternating predictions
    flip = [onehot(a), onehot(b)] * 3
    assert stop_round("kappa", params, list(range(6)), flip) is None


def test_overall_uncertainty_fires_when_the_stop_set_is_predicted_confidently():
    unsure, sure = onehot([0, 1], sure=0.6), onehot([0, 1], sure=0.999)
    # normalised entropy of (0.6, 0.4) = 0.971; of (0.999, 0.001) = 0.0114 < 0.05
    assert stop_round("overall_uncertainty", {"threshold": 0.05}, [1, 2, 3], [unsure, unsure, sure]) == 2
    assert stop_round("overall_uncertainty", {"threshold": 0.05}, [1, 2], [unsure, unsure]) is None


def test_classification_change_allows_its_threshold_of_changed_rows():
    r0, r1, r2 = onehot([0, 0, 0, 0]), onehot([1, 1, 0, 0]), onehot([1, 1, 1, 0])
    # changes: round 1 two of four (0.5), round 2 one of four (0.25)
    assert stop_round("classification_change", {"threshold": 0.25}, [1, 2, 3], [r0, r1, r2]) == 2
    assert stop_round("classification_change", {"threshold": 0.5}, [1, 2, 3], [r0, r1, r2]) == 1
    assert stop_round("classification_change", {"threshold": 0.0}, [1, 2, 3], [r0, r1, r2]) is None


def test_budget_stops_at_the_last_round_within_the_labels():
    n = [40, 80, 120]
    assert stop_round("budget", {"labels": 100}, n, next_labeled=160) == 1  # 120 would exceed 100
    assert stop_round("budget", {"labels": 80}, n, next_labeled=160) == 1  # spent exactly
    assert stop_round("budget", {"labels": 40}, n, next_labeled=160) == 0
    assert stop_round("budget", {"labels": 150}, n, next_labeled=160) == 2
    assert stop_round("budget", {"labels": 1000}, n, next_labeled=None) is None  # rounds ran out first


def test_criteria_parameters_are_checked_with_their_config_key():
    assert criterion_params("stopping.criteria.kappa", "kappa", {"threshold": 0.95}) == {"window": 3, "threshold": 0.95}
    with pytest.raises(ConfigError, match=r"^stopping.criteria.kappa: unknown parameters \['windw'\]"):
        criterion_params("stopping.criteria.kappa", "kappa", {"windw": 2})
    with pytest.raises(ConfigError, match=r"^selection.stop.window: 0 is less than the minimum of 1$"):
        parse_stop({"criterion": "kappa", "window": 0})
    with pytest.raises(ConfigError, match=r"^stopping.criteria.budget.labels: 'budget' needs it"):
        parse_criteria({"budget": {}})
    with pytest.raises(ConfigError, match=r"^selection.stop: unknown stopping criterion 'kapa'"):
        parse_stop({"criterion": "kapa"})
    with pytest.raises(ConfigError, match=r"^selection.stop: needs a criterion"):
        parse_stop({"window": 3})
    assert parse_stop(None) is None
    assert parse_criteria({"kappa": [{"threshold": 0.99}, {"threshold": 0.9, "window": 2}], "budget": {"labels": 9}}) == [
        ("kappa", {"window": 3, "threshold": 0.99}), ("kappa", {"window": 2, "threshold": 0.9}),
        ("budget", {"labels": 9})]
    with pytest.raises(ConfigError, match=r"^stopping.criteria.kappa\[1\].threshold: 2 is greater than the maximum of 1$"):
        parse_criteria({"kappa": [{"threshold": 0.99}, {"threshold": 2}]})
    assert parse_stop({"criterion": "budget", "labels": 500}) == ("budget", {"labels": 500})


def test_stop_set_is_seeded_and_leaves_the_selectable_pool():
    pool = np.arange(100, 200)
    a, b, c = draw_stop_set(pool, 20, 0), draw_stop_set(pool[::-1], 20, 0), draw_stop_set(pool, 20, 1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert len(np.unique(a)) == 20 and np.isin(a, pool).all()
    rest = selectable(pool, a)
    assert len(rest) == 80 and not np.isin(rest, a).any()
    with pytest.raises(ConfigError, match="^stopping.stop_set: 101 rows but the pool has only 100"):
        draw_stop_set(pool, 101, 0)


def test_scoring_never_offers_a_stop_set_row():
    row_id = np.arange(10)
    manifest = pd.DataFrame({"row_id": [0, 1], "round": [0, 0]})
    pos = rows_to_score(row_id, manifest, exclude=np.array([5, 6]))
    assert row_id[pos].tolist() == [0, 1, 2, 3, 4, 7, 8, 9]
    with pytest.raises(ValueError, match="stop-set rows"):
        rows_to_score(row_id, manifest, exclude=np.array([1]))


def test_hindsight_table_against_the_oracle_and_the_ceiling():
    a, b = [0, 0, 1, 1], [0, 1, 1, 1]
    curve = pd.DataFrame({"round": range(5), "n_labeled": [10, 20, 30, 40, 50],
                          "accuracy": [0.70, 0.80, 0.88, 0.90, 0.91],
                          "proba": [onehot(a), onehot(b), onehot(b), onehot(b), onehot(b)]})
    table = hindsight({("within_bucket", 0): curve},
                      [("kappa", {"window": 3, "threshold": 0.99}), ("budget", {"labels": 25})],
                      ceiling=0.9, metric="accuracy", within=0.01, next_labeled={("within_bucket", 0): None})
    kappa = table[table["criterion"] == "kappa"].iloc[0]
    assert (kappa["stop_round"], kappa["n_labeled"], kappa["value"]) == (4, 50, 0.91)
    assert kappa["ceiling_fraction"] == pytest.approx(0.91 / 0.9)
    budget = table[table["criterion"] == "budget"].iloc[0]
    assert (budget["stop_round"], budget["n_labeled"]) == (1, 20)  # 30 labels would exceed 25
    # oracle: first round within 0.01 of 0.9, i.e. >= 0.89: round 3
    assert (kappa["oracle_round"], kappa["oracle_n_labeled"], kappa["oracle_value"]) == (3, 40, 0.90)
    lines = summary_lines(table, 0.01)
    assert lines[0].startswith("stop by kappa (threshold=0.99, window=3): within_bucket: fired on 1/1 seeds; "
                               "there: round 4.0, 50 labels, accuracy 0.9100")
    assert lines[-1].startswith("oracle stop (first round within 0.01 of the ceiling): within_bucket: fired on 1/1")
    marked = summary_lines(table, 0.01, active=("budget", {"labels": 25}))
    assert marked[1].startswith("stop by budget (labels=25) [selection.stop: ended the rounds]: within_bucket:")
    assert "[selection.stop" not in marked[0]


def test_oracle_round_none_when_never_close():
    assert oracle_round([0.5, 0.6], ceiling=0.9, within=0.01) is None
    assert oracle_round([0.5, 0.895], ceiling=0.9, within=0.01) == 1


def test_editing_the_criteria_never_redraws_the_stop_set_or_retrains_a_model():
    """The criteria (bucket_al.stopping) run only in the stop checks and the hindsight step: the
    stop set, the rounds (selections and models) never import them (bucket_al.provenance)."""
    from pathlib import Path

    from bucket_al.plugins import COLD_STARTS, CRITERIA, LEARNERS, QUERIES
    from bucket_al.provenance import package_modules

    root = Path(__file__).resolve().parents[1]
    plugins = [r.module(n) for r in (LEARNERS, QUERIES, COLD_STARTS) for n in r.names]
    for script in ("stop_set", "twin", "cold_start", "round", "model"):
        modules = package_modules(root / "workflow/scripts" / f"{script}.py", root / "src/bucket_al", plugins)
        assert not [m for m in modules if m.startswith("bucket_al.stopping")], script
    assert "bucket_al.stopping" in package_modules(root / "workflow/scripts/stop_check.py", root / "src/bucket_al")
    assert "bucket_al.stopping.small_text" in package_modules(root / "workflow/scripts/stop_check.py",
                                                                root / "src/bucket_al", [CRITERIA.module("kappa")])


def test_small_text_is_imported_without_torch():
    """small-text imports torch and transformers whenever they are installed (seconds), which its
    stopping criteria never use; bucket_al.stopping.small_text hides them while it imports it."""
    import subprocess
    import sys

    code = ("import sys; from bucket_al.stopping.small_text import stopping_criteria; c = stopping_criteria(); "
            "print(c.KappaAverage.__name__, 'torch' in sys.modules, 'transformers' in sys.modules, sys.modules.get('torch'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["KappaAverage", "False", "False", "None"], out


@pytest.mark.parametrize("kind", ["embeddings", "text"])
def test_stop_set_features_round_trip(tmp_path, kind):
    from bucket_al.rows import read_features, write_features

    ids = np.array([7, 3, 11])
    X = np.arange(6, dtype=np.float32).reshape(3, 2) if kind == "embeddings" else np.array(["a", "b c", ""], dtype=object)
    write_features(ids, X, kind, tmp_path / "f.parquet")
    got_ids, got = read_features(tmp_path / "f.parquet", kind)
    assert got_ids.tolist() == [7, 3, 11] and (got == X).all()


def test_overall_uncertainty_agrees_with_small_text_row_by_row():
    """Our vectorised overall uncertainty gives small-text's mean normalised entropy (to the last
    bits) and so stops where small-text's OverallUncertainty stops."""
    from bucket_al.stopping.small_text import stopping_criteria
    from bucket_al.stopping.uncertainty import mean_normalised_entropy
    from scipy.stats import entropy

    rng = np.random.default_rng(0)
    for classes in (2, 3, 6):
        rounds = [rng.dirichlet(np.full(classes, a), size=300) for a in (1.0, 0.3, 0.1, 0.03, 0.01)]
        rounds[2][:5] = np.eye(classes)[0]  # certain rows: 0 log 0 = 0
        for p in rounds:
            expected = np.mean(np.apply_along_axis(entropy, 1, p) / np.log(classes))
            assert mean_normalised_entropy(p) == pytest.approx(expected, rel=1e-12, abs=1e-15)
        for threshold in (0.5, 0.2, 0.05):
            ours = stop_round("overall_uncertainty", {"threshold": threshold}, [10, 20, 30, 40, 50], rounds)
            theirs = stopping_criteria().OverallUncertainty(classes, threshold=threshold)
            fired = [theirs.stop(predictions=p.argmax(axis=1), proba=p, indices_stopping=np.arange(len(p)))
                     for p in rounds]
            assert ours == (fired.index(True) if any(fired) else None), (classes, threshold)
