"""Until sufficient: stopping rules that say when labelling can stop, and where each would have.

Every seed has a **stop set** (:func:`bucket_al.stop_set.draw_stop_set`): a seeded sample of the pool
that no arm and no random twin ever labels. Every model predicts it (the evaluate step writes ``stop_set.parquet``),
so a criterion sees one prediction per stop-set row per round, and compares rounds on the same rows.

The criteria are plug-ins (:data:`bucket_al.plugins.CRITERIA`, one class each:
:mod:`bucket_al.stopping.small_text` wraps small-text's, :mod:`bucket_al.stopping.budget` is a
label budget); what each one means is in its class's docstring.

:func:`stop_round` replays a criterion over an arm's rounds; the workflow uses it twice: in the
``stop_check`` checkpoint, which decides whether an arm's DAG gains another round
(``selection.stop``), and in hindsight (:func:`hindsight`), for every criterion, arm and seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..plugins import CRITERIA


def criterion_params(key: str, name: str, given: dict | None) -> dict:
    """A criterion's parameters (its defaults, then ``given``), checked; ``key`` names the config
    entry in errors (``stopping.criteria.kappa``, ``selection.stop``)."""
    return CRITERIA.get(name, key).resolve(given, key)


def parse_stop(stop: dict | None) -> tuple[str, dict] | None:
    """``selection.stop`` (``{criterion: name, <its parameters>}`` or None) as ``(name, params)``."""
    if stop is None:
        return None
    if "criterion" not in stop:
        raise ConfigError("selection.stop: needs a criterion (one of " + ", ".join(CRITERIA.names) + "), or null")
    given = {k: v for k, v in stop.items() if k != "criterion"}
    return stop["criterion"], criterion_params("selection.stop", stop["criterion"], given)


def parse_criteria(criteria: dict) -> list[tuple[str, dict]]:
    """``stopping.criteria`` as (name, params) pairs, every criterion's parameters checked. A value
    is one mapping of parameters, or a list of them to try the criterion with each (e.g. several
    kappa thresholds: ``kappa: [{threshold: 0.99}, {threshold: 0.95}]``)."""
    pairs = []
    for name, value in criteria.items():
        entries = value if isinstance(value, list) else [value]
        for i, params in enumerate(entries):
            key = f"stopping.criteria.{name}" + (f"[{i}]" if isinstance(value, list) else "")
            if params is not None and not isinstance(params, dict):
                raise ConfigError(f"{key}: a criterion's parameters are a mapping (or a list of them), got {params!r}")
            pairs.append((name, criterion_params(key, name, params)))
    return pairs


def read_stop_predictions(paths) -> list[np.ndarray]:
    """The stop-set class probabilities of a sequence of models (``stop_set.parquet`` files), rows
    sorted by row id; every file must cover the same rows."""
    from ..io import read_table

    out, ids = [], None
    for path in paths:
        table = read_table(path).sort_values("row_id", kind="stable")
        if ids is not None and not np.array_equal(ids, table["row_id"].to_numpy()):
            raise ValueError(f"{path}: predicts other rows than the earlier rounds' stop set (stale file? re-run)")
        ids = table["row_id"].to_numpy()
        out.append(table[[c for c in table.columns if c.startswith("p_")]].to_numpy(np.float64))
    return out


def reads_stop_set(name: str) -> bool:
    return CRITERIA.get(name).reads_stop_set


def stop_round(name: str, params: dict, n_labeled: list[int], proba: list[np.ndarray] | None = None,
               next_labeled: int | None = None, thresholds: list | None = None) -> int | None:
    """The first round (index into ``n_labeled``) at which criterion ``name`` with ``params`` fires,
    or None (:meth:`bucket_al.stopping.base.Criterion.stop_round`). ``thresholds``: a multi-label run's,
    one per round (each model's decision threshold, from its metrics.json)."""
    criterion = CRITERIA.get(name)(thresholds=thresholds, **params)
    return criterion.stop_round(n_labeled, proba if reads_stop_set(name) else None, next_labeled)


def trace(proba: list[np.ndarray], thresholds: list | None = None) -> pd.DataFrame:
    """What the stop-set criteria look at, per round: Cohen's kappa and the fraction of changed
    predictions against the previous round, and the mean normalised entropy (multi-label: per-label
    kappa averaged, changed label sets, mean binary entropy over log 2; ``thresholds``: one per round)."""
    from sklearn.metrics import cohen_kappa_score

    from ..score import entropy
    from .small_text import label_kappa
    from .uncertainty import mean_binary_entropy

    rows, preds = [], []
    for r, p in enumerate(proba):
        p = np.asarray(p, dtype=np.float64)
        if thresholds is None:
            pred = p.argmax(axis=1)
            uncertainty = float((entropy(p) / np.log(p.shape[1])).mean())  # what overall_uncertainty compares
        else:
            pred = (p >= np.asarray(thresholds[r], dtype=np.float64)).astype(np.int64)
            uncertainty = mean_binary_entropy(p)
        row = {"round": r, "uncertainty": uncertainty, "kappa": np.nan, "changed": np.nan}
        if r:
            prev = preds[-1]
            if thresholds is not None:
                row["kappa"] = label_kappa(pred, prev)
                row["changed"] = float((prev != pred).any(axis=1).mean())
            else:
                row["kappa"] = 1.0 if np.array_equal(prev, pred) else float(
                    cohen_kappa_score(prev, pred, labels=np.arange(p.shape[1])))
                row["changed"] = float((prev != pred).mean())
        preds.append(pred)
        rows.append(row)
    return pd.DataFrame(rows)


STOPPING_COLUMNS = ["criterion", "params", "arm", "seed", "rounds_run", "stop_round", "n_labeled", "metric",
                    "value", "ceiling_fraction", "oracle_round", "oracle_n_labeled", "oracle_value",
                    "oracle_ceiling_fraction"]


def oracle_round(values: list[float], ceiling: float, within: float) -> int | None:
    """The first round whose metric is within ``within`` (absolute) of the ceiling's, if any."""
    hit = [r for r, v in enumerate(values) if v >= ceiling - within]
    return hit[0] if hit else None


def hindsight(curves: dict[tuple[str, int], pd.DataFrame], criteria: list[tuple[str, dict]], ceiling: float,
              metric: str, within: float, next_labeled: dict[tuple[str, int], int | None]) -> pd.DataFrame:
    """For every criterion, arm and seed: the round where it would have stopped (empty: it did not
    fire in the rounds run), the labels and the metric there, the fraction of the ceiling, and the same
    for the oracle stop (the first round within ``within`` of the ceiling's mean metric).

    ``curves[(arm, seed)]``: one row per round run, sorted, with ``n_labeled``, the metric, and
    ``proba`` (the stop-set probabilities, or None with no stop set) and, multi-label, ``threshold``
    (each model's decision threshold); ``next_labeled``: the labels of
    the round after the last one run (None at the maximum), for the budget; ``criteria``: (name,
    params) pairs (a name may come twice, with other parameters)."""
    rows = []
    for (arm, seed), curve in sorted(curves.items()):
        values = curve[metric].tolist()
        n_labeled = curve["n_labeled"].astype(int).tolist()
        oracle = oracle_round(values, ceiling, within)
        base = {"arm": arm, "seed": seed, "rounds_run": len(curve), "metric": metric,
                "oracle_round": oracle, "oracle_n_labeled": n_labeled[oracle] if oracle is not None else None,
                "oracle_value": values[oracle] if oracle is not None else None,
                "oracle_ceiling_fraction": values[oracle] / ceiling if oracle is not None else None}
        for name, params in criteria:
            proba = curve["proba"].tolist() if reads_stop_set(name) else None
            if proba is not None and any(p is None for p in proba):
                continue  # no stop set (stopping.stop_set: 0): the stop-set criteria cannot run
            thresholds = curve["threshold"].tolist() if "threshold" in curve else None
            r = stop_round(name, params, n_labeled, proba, next_labeled.get((arm, seed)), thresholds)
            rows.append({**base, "criterion": name, "params": _params_text(params),
                         "stop_round": r, "n_labeled": n_labeled[r] if r is not None else None,
                         "value": values[r] if r is not None else None,
                         "ceiling_fraction": values[r] / ceiling if r is not None else None})
    table = pd.DataFrame(rows, columns=STOPPING_COLUMNS)
    for c in ("stop_round", "n_labeled", "oracle_round", "oracle_n_labeled"):
        table[c] = table[c].astype("Int64")
    return table


def _params_text(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items()))


def summary_lines(table: pd.DataFrame, within: float, active: tuple[str, dict] | None = None) -> list[str]:
    """One line per criterion and arm (and one per arm for the oracle): where it stops on average
    over the seeds where it fired, and on how many seeds it fired. ``active``: selection.stop's
    (name, params), whose lines say that it ended the rounds."""
    lines = []
    if table.empty:
        return lines
    metric = table["metric"].iloc[0]
    ended = (active[0], _params_text(active[1])) if active else None
    for (criterion, params), rows in table.groupby(["criterion", "params"], sort=False):
        for arm, r in rows.groupby("arm", sort=False):
            # the rule ended each arm's rounds; the twin only followed the furthest arm
            mark = " [selection.stop: ended the rounds]" if (criterion, params) == ended and arm != "random" else ""
            where = _where(r, "stop_round", "n_labeled", "value", "ceiling_fraction", metric)
            lines.append(f"stop by {criterion} ({params}){mark}: {arm}: {where}")
    oracle = table.drop_duplicates(["arm", "seed"])
    for arm, r in oracle.groupby("arm", sort=False):
        lines.append(f"oracle stop (first round within {within:g} of the ceiling): {arm}: "
                     f"{_where(r, 'oracle_round', 'oracle_n_labeled', 'oracle_value', 'oracle_ceiling_fraction', metric)}")
    return lines


def _where(rows: pd.DataFrame, round_col, labels_col, value_col, fraction_col, metric) -> str:
    fired = rows[rows[round_col].notna()]
    head = f"fired on {len(fired)}/{len(rows)} seeds"
    if fired.empty:
        return f"{head} (within the {int(rows['rounds_run'].max())} rounds run)"
    return (f"{head}; there: round {fired[round_col].astype(float).mean():.1f}, "
            f"{fired[labels_col].astype(float).mean():.0f} labels, {metric} {fired[value_col].astype(float).mean():.4f} "
            f"({fired[fraction_col].astype(float).mean():.1%} of the ceiling)")
