"""Until sufficient: stopping rules that say when labelling can stop, and where each would have.

Every seed has a **stop set** (:func:`bucket_al.stop_set.draw_stop_set`): a seeded sample of the pool
that no arm and no random twin ever labels. Every model predicts it (the evaluate step writes ``stop_set.parquet``),
so a criterion sees one prediction per stop-set row per round, and compares rounds on the same rows.

The criteria (:data:`CRITERIA`) are small-text's (``small_text.stopping_criteria``), fed the
stop-set predictions round by round; the label budget is our own (small-text's MaxIterations counts
iterations, not labels):

- ``kappa``: stabilizing predictions (Bloodgood and Vijay-Shanker 2009): Cohen's kappa between
  consecutive models' stop-set predictions; stop when its mean over the last ``window`` checks is at
  least ``threshold`` (small-text's KappaAverage).
- ``overall_uncertainty``: stop when the mean normalised entropy of the stop-set predictions is below
  ``threshold`` (Zhu, Wang and Hovy 2008; small-text's OverallUncertainty).
- ``classification_change``: stop when at most a ``threshold`` fraction of the stop-set predictions
  changed since the last round (Zhu et al. 2008; small-text's ClassificationChange).
- ``budget``: stop at the last round that fits in ``labels`` labels (all spent, or the next round
  would exceed them).

:func:`stop_round` replays a criterion over an arm's rounds; the workflow uses it twice: in the
``stop_check`` checkpoint, which decides whether an arm's DAG gains another round
(``selection.stop``), and in hindsight (:func:`hindsight`), for every criterion, arm and seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import ConfigError, check_choice


@dataclass(frozen=True)
class Criterion:
    """What a criterion takes and reads (what each one means: the module's docstring)."""

    params: dict  # the parameters and their defaults
    stop_set: bool  # reads the stop-set predictions (else only the label counts)
    required: tuple = field(default=())  # parameters without a default


CRITERIA = {
    "kappa": Criterion({"window": 3, "threshold": 0.99}, True),
    "overall_uncertainty": Criterion({"threshold": 0.05}, True),
    "classification_change": Criterion({"threshold": 0.01}, True),
    "budget": Criterion({"labels": None}, False, ("labels",)),
}


def criterion_params(key: str, name: str, given: dict | None) -> dict:
    """A criterion's parameters (its defaults, then ``given``), checked; ``key`` names the config
    entry in errors (``stopping.criteria.kappa``, ``selection.stop``)."""
    check_choice(key, "stopping criterion", name, CRITERIA)
    spec = CRITERIA[name]
    given = dict(given or {})
    unknown = set(given) - set(spec.params)
    if unknown:
        raise ConfigError(f"{key}: unknown parameters {sorted(unknown)} for criterion '{name}' "
                          f"(it takes {', '.join(sorted(spec.params))})")
    params = {**spec.params, **given}
    for p in spec.required:
        if params[p] is None:
            raise ConfigError(f"{key}.{p}: criterion '{name}' needs it")
    if name == "kappa":
        _check(key, "window", params["window"], int, lambda v: v >= 1, "a count >= 1")
        _check(key, "threshold", params["threshold"], (int, float), lambda v: -1 <= v <= 1, "a kappa in [-1, 1]")
    elif name == "overall_uncertainty":
        _check(key, "threshold", params["threshold"], (int, float), lambda v: 0 <= v < 1, "in [0, 1)")
    elif name == "classification_change":
        _check(key, "threshold", params["threshold"], (int, float), lambda v: 0 <= v <= 1, "in [0, 1]")
    elif name == "budget":
        _check(key, "labels", params["labels"], int, lambda v: v >= 1, "a count >= 1")
    return params


def _check(key, param, value, types, ok, what):
    if isinstance(value, bool) or not isinstance(value, types) or not ok(value):
        raise ConfigError(f"{key}.{param}: must be {what}, got {value!r}")


def parse_stop(stop: dict | None) -> tuple[str, dict] | None:
    """``selection.stop`` (``{criterion: name, <its parameters>}`` or None) as ``(name, params)``."""
    if stop is None:
        return None
    if "criterion" not in stop:
        raise ConfigError("selection.stop: needs a criterion (one of " + ", ".join(CRITERIA) + "), or null")
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
    from .io import read_table

    out, ids = [], None
    for path in paths:
        table = read_table(path).sort_values("row_id", kind="stable")
        if ids is not None and not np.array_equal(ids, table["row_id"].to_numpy()):
            raise ValueError(f"{path}: predicts other rows than the earlier rounds' stop set (stale file? re-run)")
        ids = table["row_id"].to_numpy()
        out.append(table[[c for c in table.columns if c.startswith("p_")]].to_numpy(np.float64))
    return out


class _Budget:
    """Stop at the last round within ``labels`` labels: once they are all spent, or when the next
    round would exceed them (``next_labeled`` None: no next round is known)."""

    def __init__(self, labels: int):
        self.labels = labels

    def stop(self, n_labeled: int, next_labeled: int | None) -> bool:
        return n_labeled >= self.labels or (next_labeled is not None and next_labeled > self.labels)


def _small_text(name: str, params: dict, num_classes: int):
    from small_text.stopping_criteria import ClassificationChange, KappaAverage, OverallUncertainty

    if name == "kappa":
        return KappaAverage(num_classes, window_size=params["window"], kappa=params["threshold"])
    if name == "overall_uncertainty":
        return OverallUncertainty(num_classes, threshold=params["threshold"])
    return ClassificationChange(num_classes, threshold=params["threshold"])


def stop_round(name: str, params: dict, n_labeled: list[int], proba: list[np.ndarray] | None = None,
               next_labeled: int | None = None) -> int | None:
    """The first round (index into ``n_labeled``) at which criterion ``name`` fires, or None.

    ``n_labeled[r]``: labels of round r; ``proba[r]``: round r's stop-set class probabilities (rows
    in the same order every round; needed by the stop-set criteria); ``next_labeled``: the labels of
    the round after the last one given (None: there is none), for the budget."""
    if CRITERIA[name].stop_set:
        if proba is None or len(proba) != len(n_labeled):
            raise ValueError(f"criterion '{name}' needs one stop-set prediction per round")
        rule = _small_text(name, params, proba[0].shape[1])
        for r, p in enumerate(proba):
            p = np.asarray(p, dtype=np.float64)
            if rule.stop(predictions=p.argmax(axis=1), proba=p, indices_stopping=np.arange(len(p))):
                return r
        return None
    rule = _Budget(params["labels"])
    nexts = [*n_labeled[1:], next_labeled]
    for r, (n, nxt) in enumerate(zip(n_labeled, nexts)):
        if rule.stop(n, nxt):
            return r
    return None


def trace(proba: list[np.ndarray]) -> pd.DataFrame:
    """What the stop-set criteria look at, per round: Cohen's kappa and the fraction of changed
    predictions against the previous round, and the mean normalised entropy."""
    from sklearn.metrics import cohen_kappa_score

    from .score import entropy

    rows = []
    for r, p in enumerate(proba):
        p = np.asarray(p, dtype=np.float64)
        pred = p.argmax(axis=1)
        normalised = entropy(p) / np.log(p.shape[1])  # what overall_uncertainty compares with its threshold
        row = {"round": r, "uncertainty": float(normalised.mean()), "kappa": np.nan, "changed": np.nan}
        if r:
            prev = np.asarray(proba[r - 1]).argmax(axis=1)
            same = np.array_equal(prev, pred)
            row["kappa"] = 1.0 if same else float(cohen_kappa_score(prev, pred, labels=np.arange(p.shape[1])))
            row["changed"] = float((prev != pred).mean())
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
    ``proba`` (the stop-set probabilities, or None with no stop set); ``next_labeled``: the labels of
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
            proba = curve["proba"].tolist() if CRITERIA[name].stop_set else None
            if proba is not None and any(p is None for p in proba):
                continue  # no stop set (stopping.stop_set: 0): the stop-set criteria cannot run
            r = stop_round(name, params, n_labeled, proba, next_labeled.get((arm, seed)))
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
