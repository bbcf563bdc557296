"""Labelling mode: the files a person reads and writes, round by round.

A round's batch goes out as ``batch.csv`` (row id, text, the current model's suggested label and its
probability) and as Label Studio's task import (``tasks.json``: ``data.text``, ``data.row_id``, the
suggestion as a ``predictions`` entry, so the person sees it pre-selected). The person returns the
round's labels into the labels folder, as ``round<r>.csv`` (``row_id,label``; a blank label skips the
row) or as Label Studio's JSON export of the project (``round<r>.json``: each task's latest annotation
that is not cancelled). :func:`read_returned` checks a returned file against the batch that was offered
and the label set, and says what is wrong in one line naming the file and the row.

Nothing here writes into the labels folder: it is the person's.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError

log = logging.getLogger(__name__)

ROUND_FILE = re.compile(r"round(\d+)\.(csv|json)")
FROM_NAME, TO_NAME = "label", "text"  # the names the labelling config of tasks.json uses
# Between a multi-label row's labels in batch.csv (the suggestion) and in a returned CSV: dataset.label_separator,
# or this one when the pool holds lists (parquet, JSONL) and the config sets none.
SEPARATOR = "|"


def label_file_separator(label_separator: str | None) -> str:
    """The separator of a multi-label cell in the labelling mode's CSV files (batch.csv, round<r>.csv)."""
    return label_separator or SEPARATOR


def returned_rounds(folder) -> dict[int, Path]:
    """The label files in ``folder`` (``round<r>.csv`` or ``round<r>.json``) by round, from the first
    returned round on without a gap. Two files for one round, or a gap (round 2's file without round
    1's), is an error: the workflow cannot know which the person meant."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    found: dict[int, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        m = ROUND_FILE.fullmatch(path.name)
        if m and path.is_file():
            found.setdefault(int(m.group(1)), []).append(path)
    for r, paths in found.items():
        if len(paths) > 1:
            raise DataError(f"{folder}: round {r} has two label files ({', '.join(p.name for p in paths)}); keep one")
    rounds = sorted(found)
    gap = sorted(set(range(rounds[0], rounds[-1] + 1)) - set(rounds)) if rounds else []
    if gap:
        raise DataError(f"{found[rounds[-1]][0]}: round {gap[0]}'s labels are missing from {folder}; "
                        "rounds are labelled in order")
    return {r: found[r][0] for r in rounds}


def label_lookup(names: list[str]) -> dict[str, str]:
    """Each label name, and its case and space variants (``' Positive'`` for ``positive``), to the name."""
    return {key: name for name in names for key in (name, name.strip().casefold())}


def parse_label(value, lookup: dict[str, str], path, row_id, variants: dict) -> str:
    """One returned label, as a name of the label set (a case or space variant counts, and is tallied
    in ``variants``); anything else is an error naming the file and the row."""
    text = str(value)
    if text in lookup:
        return lookup[text]
    key = text.strip().casefold()
    if key in lookup:
        variants[(text, lookup[key])] = variants.get((text, lookup[key]), 0) + 1
        return lookup[key]
    raise DataError(f"{path}: row_id {row_id}: label {text!r} is not in the label set "
                    f"({', '.join(sorted(set(lookup.values())))})")


def read_csv_labels(path: Path, separator: str | None) -> pd.DataFrame:
    """``row_id, label`` of a returned CSV, every cell read as text; a blank label (a skipped row) is
    None; multi-label cells are split on ``separator``."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: unreadable: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    missing = [c for c in ("row_id", "label") if c not in raw.columns]
    if missing:
        raise DataError(f"{path}: no column {missing[0]!r} (columns: {', '.join(raw.columns)}); "
                        "a label file has the columns row_id,label")
    labels = []
    for cell in raw["label"]:
        cell = cell.strip()
        if not cell:
            labels.append(None)
        elif separator:
            labels.append([part for part in cell.split(separator) if part.strip()])
        else:
            labels.append(cell)
    return pd.DataFrame({"row_id": raw["row_id"].str.strip(), "label": labels})


def read_label_studio(path: Path) -> pd.DataFrame:
    """``row_id, label`` from Label Studio's JSON export of a project: per task, its latest annotation
    (``updated_at``, else ``created_at``, else the last) that is not cancelled; a task with none is
    skipped (label None). The choices of a single-choice task are one label, of a multi-choice task a
    list."""
    try:
        tasks = json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: unreadable: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    if not isinstance(tasks, list):
        raise DataError(f"{path}: not a Label Studio JSON export (a list of tasks)")
    rows = []
    for i, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or "row_id" not in data:
            raise DataError(f"{path}: task {i} has no data.row_id (import the round's tasks.json, which carries it)")
        done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        label = None
        if done:
            latest = max(enumerate(done), key=lambda ia: (ia[1].get("updated_at") or ia[1].get("created_at") or "",
                                                          ia[0]))[1]
            choices = [c for r in latest.get("result") or [] if r.get("type") == "choices"
                       for c in (r.get("value") or {}).get("choices") or []]
            label = (choices if len(choices) != 1 else choices[0]) if choices else None
        rows.append({"row_id": str(data["row_id"]), "label": label})
    return pd.DataFrame(rows, columns=["row_id", "label"])


def read_returned(path, offered: pd.DataFrame, names: list[str], multilabel: bool = False,
                  separator: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The labels a person returned for a round: ``row_id``, ``label`` (a name, or a sorted list of names
    when ``multilabel``) and ``skipped``, checked against ``offered`` (the round's batch: its
    ``row_id``). Returns the table and warnings (case or space variants of labels, with counts).

    One-line errors naming the file and the row: an empty or unreadable file, a row id that is not a
    number or was not offered in this round, a row labelled twice, a label outside ``names``."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise DataError(f"{path}: empty file; a label file has the columns row_id,label")
    # a single-label cell is one label, whatever it holds (a separator splits a multi-label cell only)
    raw = read_label_studio(path) if path.suffix == ".json" else read_csv_labels(path, separator if multilabel else None)
    if raw.empty:
        raise DataError(f"{path}: no rows")
    ids = pd.to_numeric(raw["row_id"], errors="coerce")
    bad = raw["row_id"][ids.isna() | (ids != ids.round())]
    if len(bad):
        raise DataError(f"{path}: row_id {bad.iloc[0]!r} is not a row id (a whole number from the batch file)")
    raw["row_id"] = ids.astype(np.int64)
    twice = raw["row_id"][raw["row_id"].duplicated()]
    if len(twice):
        raise DataError(f"{path}: row_id {int(twice.iloc[0])} is labelled twice in this file")
    stray = raw["row_id"][~raw["row_id"].isin(offered["row_id"])]
    if len(stray):
        raise DataError(f"{path}: row_id {int(stray.iloc[0])} was not offered in this round ({len(stray)} such rows); "
                        "label the rows of this round's batch.csv")
    lookup, variants = label_lookup(names), {}
    labels = []
    for row_id, value in zip(raw["row_id"], raw["label"]):
        if not isinstance(value, list) and pd.isna(value):
            labels.append(None)
        elif multilabel:
            values = value if isinstance(value, list) else [value]
            labels.append(sorted({parse_label(v, lookup, path, row_id, variants) for v in values}, key=names.index))
        else:
            if isinstance(value, list):
                raise DataError(f"{path}: row_id {row_id}: {len(value)} labels for a single-label task")
            labels.append(parse_label(value, lookup, path, row_id, variants))
    out = pd.DataFrame({"row_id": raw["row_id"], "label": pd.Series(labels, index=raw.index, dtype=object)})
    out["skipped"] = out["label"].isna()
    warnings = [f"{path}: {n} rows labelled {text!r}, read as {name!r}" for (text, name), n in sorted(variants.items())]
    return out.sort_values("row_id", ignore_index=True), warnings


# -- what goes out ------------------------------------------------------------------------------
def batch_files(batch: pd.DataFrame, names: list[str], round_: int, csv_path, tasks_path,
                multilabel: bool = False, separator: str = SEPARATOR) -> None:
    """Write a round's batch for the person: ``batch.csv`` (row_id, text, audit, and, when a model
    exists, its suggested label and probability; an empty ``label`` column to fill in) and Label
    Studio's task import ``tasks.json`` (the suggestion as a prediction, so it shows pre-selected)."""
    from .io import atomic_path

    table = batch[["row_id", "text"]].copy()
    table["audit"] = batch["audit"].to_numpy() if "audit" in batch else False
    if "suggestion" in batch:
        table["suggestion"] = batch["suggestion"].to_numpy()
        table["probability"] = batch["probability"].round(4).to_numpy()
    table["label"] = ""
    with atomic_path(csv_path) as tmp:
        table.to_csv(tmp, index=False)
    tasks = []
    for row in table.itertuples(index=False):
        task = {"data": {"text": row.text, "row_id": int(row.row_id), "round": round_, "audit": bool(row.audit)}}
        if "suggestion" in table:
            task["predictions"] = [{"model_version": f"round{round_ - 1}", "score": float(row.probability),
                                    "result": [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices",
                                                "value": {"choices": suggested(row.suggestion, multilabel, separator)}}]}]
        tasks.append(task)
    with atomic_path(tasks_path) as tmp:
        Path(tmp).write_text(json.dumps(tasks, ensure_ascii=False, indent=1))


def suggested(suggestion: str, multilabel: bool, separator: str = SEPARATOR) -> list[str]:
    """A batch row's suggestion as Label Studio choices: one label, or a multi-label model's labels
    (written ``a|b`` in batch.csv, ``separator`` between them; none above its threshold: no choice)."""
    return [x for x in suggestion.split(separator) if x] if multilabel else [suggestion]


def label_config(names: list[str], multilabel: bool = False) -> str:
    """The Label Studio labelling config (XML) of a text-classification project whose names match
    tasks.json's predictions and :func:`read_label_studio`."""
    from xml.sax.saxutils import quoteattr

    choice = "multiple" if multilabel else "single"
    choices = "\n".join(f"    <Choice value={quoteattr(n)}/>" for n in names)
    return (f'<View>\n  <Text name="{TO_NAME}" value="$text"/>\n'
            f'  <Choices name="{FROM_NAME}" toName="{TO_NAME}" choice="{choice}" showInLine="true">\n'
            f"{choices}\n  </Choices>\n</View>\n")


def wilson_interval(correct: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion ``correct / n`` (n > 0)."""
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
