"""Checks and reports across the two splits: the label vocabulary and its kinds, eval labels the pool never shows,
eval texts found in the pool, and the warnings and notes that go to labels.json (one line each, with counts)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..errors import DataError
from .clean import to_plain

log = logging.getLogger(__name__)


def elements(labels: pd.Series) -> pd.Series:
    """The label values of a split, one per row, or every value of every row's tuple (multi-label)."""
    if len(labels) and isinstance(labels.iloc[0], tuple):
        return pd.Series([x for t in labels for x in t])
    return labels


def label_vocabulary(pool_labels: pd.Series) -> list:
    """Sorted distinct label values of the pool: their positions are the label ids. Numbers and strings
    in one column (0, 1 and 'unsure') have no order: a one-line error."""
    distinct = pd.unique(elements(pool_labels)).tolist()
    numbers = [v for v in distinct if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)]
    if numbers and len(numbers) < len(distinct):
        strings = [v for v in distinct if v not in numbers]
        raise DataError(f"dataset.label_column: the pool's labels mix numbers {sorted(numbers)[:3]} and strings "
                        f"{sorted(map(str, strings))[:3]}; make them one type (dataset.label_map maps each label)")
    values = sorted(distinct)
    if len(values) < 2:
        raise DataError(f"dataset.label_column: the pool has one class only ({values[0]!r}); need at least two")
    return values


def label_kind(values) -> str:
    """The kind of a split's raw labels: 'bool', 'number' or 'string' (several: 'mixed')."""
    kinds = {"bool" if isinstance(v, (bool, np.bool_)) else "number" if isinstance(v, (int, float, np.number))
             else "string" for v in pd.unique(pd.Series(values))}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def check_label_kinds(pool: pd.Series, eval_: pd.Series, cfg: dict) -> None:
    """One line for labels of different kinds in the two splits (e.g. "0"/"1" strings in one file and
    0/1 numbers in the other), which would otherwise read as labels the pool never shows."""
    pool, eval_ = elements(pool), elements(eval_)
    kp, ke = label_kind(pool), label_kind(eval_)
    if kp != ke:
        raise DataError(
            f"dataset.label_column: the pool split '{cfg['pool_split']}' has {kp} labels "
            f"({sorted(pd.unique(pool).tolist(), key=str)[:3]}) but the eval split '{cfg['eval_split']}' has "
            f"{ke} labels ({sorted(pd.unique(eval_).tolist(), key=str)[:3]}); make both files use one type")


def drop_unseen_eval_labels(eval_: pd.DataFrame, values: list, cfg: dict, report: dict) -> pd.DataFrame:
    """Eval rows whose label the pool never shows: an error (default), or left out of the evaluation
    with ``dataset.unseen_eval_labels: drop`` (recorded in ``report``). Multi-label: such labels are
    taken off the rows, and a row left without a label is left out."""
    multi = len(eval_) and isinstance(eval_["raw_label"].iloc[0], tuple)
    known = set(values)
    if multi:
        unseen = eval_["raw_label"].map(lambda t: not set(t) <= known)
        if not unseen.any():
            return eval_
        labels = sorted({x for t in eval_.loc[unseen, "raw_label"] for x in t} - known, key=str)
    else:
        unseen = ~eval_["raw_label"].isin(values)
        if not unseen.any():
            return eval_
        labels = sorted(pd.unique(eval_.loc[unseen, "raw_label"]).tolist(), key=str)
    if cfg["unseen_eval_labels"] == "error":
        raise DataError(
            f"dataset.label_column: split '{cfg['eval_split']}' has {int(unseen.sum())} rows with labels the pool "
            f"never shows: {labels[:5]}; set dataset.unseen_eval_labels: drop to leave them out of the evaluation")
    if multi:  # take the unseen labels off; rows left with none go
        eval_ = eval_.assign(raw_label=eval_["raw_label"].map(lambda t: tuple(x for x in t if x in known)))
        unseen = eval_["raw_label"].map(len) == 0
    if unseen.all():
        raise DataError(f"dataset.unseen_eval_labels: drop would leave the eval split '{cfg['eval_split']}' empty: all "
                        f"{len(eval_)} rows have labels the pool never shows ({labels[:5]})")
    report["dropped"]["unseen_eval_labels"] = {"rows": int(unseen.sum()), "labels": [to_plain(v) for v in labels]}
    warn(report, f"eval split '{cfg['eval_split']}': {int(unseen.sum())} rows dropped whose labels the pool never "
                 f"shows ({len(labels)} labels: {labels[:5]}; dataset.unseen_eval_labels: drop)")
    return eval_[~unseen].reset_index(drop=True)


def handle_overlap(pool: pd.DataFrame, eval_: pd.DataFrame, cfg: dict, report: dict) -> pd.DataFrame:
    """Eval texts that also occur in the pool (a model could see an eval row's text with its label):
    warned about (default), an error, or the pool's copies dropped (``dataset.eval_overlap``); the
    eval split stays the benchmark everyone reports."""
    in_eval = pool["text"].isin(set(eval_["text"]))
    if not in_eval.any():
        return pool
    eval_rows = int(eval_["text"].isin(set(pool["text"])).sum())
    mode = cfg["eval_overlap"]
    what = f"{eval_rows} eval rows have their text in the pool ({int(in_eval.sum())} pool rows)"
    if mode == "error":
        raise DataError(f"dataset.eval_overlap: {what}; set dataset.eval_overlap: drop to leave those pool rows out, "
                        "or warn to keep them")
    if mode == "warn":
        warn(report, f"{what}: a model can see an eval row's text with its label (dataset.eval_overlap: drop "
                     "leaves them out of the pool)")
        return pool
    if in_eval.all():
        raise DataError(f"dataset.eval_overlap: drop would leave the pool split '{cfg['pool_split']}' empty: all "
                        f"{len(pool)} rows have their text in the eval split")
    report["dropped"]["eval_overlap"] = {"pool_rows": int(in_eval.sum()), "eval_rows": eval_rows}
    warn(report, f"{what}: those pool rows were dropped (dataset.eval_overlap: drop)")
    return pool[~in_eval].reset_index(drop=True)


def data_warnings(pool: pd.DataFrame, eval_: pd.DataFrame, cfg: dict, report: dict) -> None:
    """Problems that may be legitimate, one warning line each with counts: duplicate texts and
    texts with conflicting labels in the pool, duplicates in the eval split, a one-class eval split."""
    for role, df in (("pool", pool), ("eval", eval_)):
        split = cfg[f"{role}_split"]
        repeats = df["text"].duplicated()
        if repeats.any():
            texts = df.loc[repeats, "text"].nunique()
            warn(report, f"{role} split '{split}': {int(repeats.sum())} rows repeat the text of an earlier row "
                         f"({texts} distinct texts)")
        labels_per_text = df.groupby("text")["raw_label"].nunique()  # (multi-label: per label set)
        conflicting = int((labels_per_text > 1).sum())
        if conflicting:
            warn(report, f"{role} split '{split}': {conflicting} texts carry more than one label")
    variants = label_variants(elements(pool["raw_label"]))
    if variants:
        listed = "; ".join(", ".join(f"{v!r} ({n} rows)" for v, n in group) for group in variants[:3])
        warn(report, f"pool split '{cfg['pool_split']}': {len(variants)} labels differ from another only in case or "
                     f"spaces and count as separate classes: {listed} (dataset.label_map can merge them)")
    sep = cfg.get("label_separator")
    if sep:  # a cell split another way ('pos;short' with '|') would be a label of its own
        for other in [c for c in ";,|/" if c != sep]:
            odd = sorted({x for x in elements(pool["raw_label"]) if other in str(x)})
            if odd:
                warn(report, f"dataset.label_separator is {sep!r}, but {len(odd)} labels of the pool split contain "
                             f"{other!r} ({', '.join(map(repr, odd[:3]))}): cells split another way? Each counts as a "
                             "label of its own")
    if elements(eval_["raw_label"]).nunique() == 1:
        warn(report, f"eval split '{cfg['eval_split']}' holds one class only ({to_plain(elements(eval_['raw_label']).iloc[0])!r}): "
                     "accuracy and macro-F1 say little about the other classes")


def multilabel_notes(pool: pd.DataFrame, eval_: pd.DataFrame, values: list, report: dict) -> None:
    """What a multi-label data set looks like, in the step's log, labels.json and the printed summary:
    labels per row (cardinality), the share of rows with several, the rarest labels of the pool, and
    labels the eval split never shows (their F1 is left out of macro-F1)."""
    per_row = pool["raw_label"].map(len)
    counts = elements(pool["raw_label"]).value_counts()
    rarest = ", ".join(f"{v} {counts.get(v, 0)}" for v in sorted(values, key=lambda v: (counts.get(v, 0), str(v)))[:5])
    in_eval = set(elements(eval_["raw_label"]))
    absent = [v for v in values if v not in in_eval]
    note = (f"multi-label: {len(values)} labels, {per_row.mean():.3f} labels per pool row ({(per_row > 1).mean():.1%} of "
            f"rows have more than one, at most {per_row.max()}); rarest in the pool: {rarest}")
    if absent:
        note += f"; {len(absent)} labels never in the eval split ({absent[:5]}): left out of macro-F1"
    log.info("%s", note)
    report["notes"].append(note)
    report["multilabel"] = {"cardinality": float(per_row.mean()), "several": float((per_row > 1).mean()),
                            "pool_counts": {str(k): int(v) for k, v in counts.items()}, "absent_in_eval": absent}


def label_variants(labels: pd.Series) -> list[list[tuple[str, int]]]:
    """Groups of text labels that are the same but for case and surrounding spaces ('pos', 'Pos '),
    each as (label, rows) pairs; none for labels that are not text."""
    counts = labels[labels.map(lambda v: isinstance(v, str))].value_counts()
    groups: dict[str, list] = {}
    for value, n in sorted(counts.items()):
        groups.setdefault(value.strip().lower(), []).append((value, int(n)))
    return [g for g in groups.values() if len(g) > 1]


def warn(report: dict, message: str) -> None:
    log.warning("%s", message)
    report["warnings"].append(message)
