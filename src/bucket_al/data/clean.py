"""One split's columns checked and cleaned: the text (the seed's lowercase and strip) and the labels (a value per row,
or a sorted tuple of values for a multi-label split; dataset.label_map applied)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError


def clean_text(text: str) -> str:
    """The seed's light cleaning: lowercase and strip."""
    return str(text).lower().strip()


def check_columns(df: pd.DataFrame, cfg: dict, split: str) -> None:
    for key in ("text_column", "label_column"):
        col = cfg[key]
        if col not in df.columns:
            raise DataError(
                f"dataset.{key}: column '{col}' not in split '{split}' "
                f"(columns: {', '.join(map(str, df.columns))})"
            )


def map_labels(label: pd.Series, mapping: dict, split: str) -> pd.Series:
    """``dataset.label_map`` applied to a split's raw labels (keys match a label's value or its text:
    YAML reads ``-1`` as a number, ``"-1"`` as text). Every label present must be mapped."""
    by_text = {str(k): v for k, v in mapping.items()}
    missing = sorted({str(v) for v in pd.unique(label.dropna())} - set(by_text))
    if missing:
        raise DataError(f"dataset.label_map: labels of split '{split}' it does not map: {missing[:5]}"
                        f"{' ...' if len(missing) > 5 else ''} (it must map every label)")
    return label.map(lambda v: v if pd.isna(v) else by_text[str(v)])


def is_list(v) -> bool:
    return isinstance(v, (list, tuple, np.ndarray))


def split_task(label: pd.Series, cfg: dict, split: str) -> str:
    """'multilabel' when the split's label column holds lists of labels, 'single' when it holds one
    label per row; ``dataset.task`` must agree, and a column may not mix the two."""
    lists = int(label.map(is_list).sum())
    present = int(label.map(lambda v: is_list(v) or not pd.isna(v)).sum())
    if 0 < lists < present:
        raise DataError(f"dataset.label_column: split '{split}' mixes lists of labels ({lists} rows) and single labels "
                        f"({present - lists} rows); give every row a list (multi-label) or every row one label")
    found = "multilabel" if lists else "single"
    if cfg["task"] != found:
        what = "lists of labels" if lists else "one label per row"
        hint = (" (a CSV/TSV cell is one string: set dataset.label_separator, e.g. '|', to split it)"
                if cfg["task"] == "multilabel" and not cfg["label_separator"] else "")
        raise DataError(f"dataset.task: {cfg['task']}, but the label column of split '{split}' holds {what}; "
                        f"set dataset.task: {found}{hint}")
    return found


def split_label_text(label: pd.Series, sep: str) -> pd.Series:
    """A multi-label column written as text (CSV/TSV: ``joy|surprise``) as lists of label names; a
    cell that is already a list stays, a missing cell stays missing (and is refused as unlabelled)."""
    return label.map(lambda v: [x.strip() for x in v.split(sep) if x.strip()] if isinstance(v, str) else v)


def clean_label_lists(label: pd.Series, split: str) -> pd.Series:
    """A multi-label column as sorted tuples of distinct labels; rows without a list or with an empty
    one stop the step (a row with no label says nothing a model could learn or be scored on)."""
    missing = int(label.map(lambda v: not is_list(v)).sum())
    if missing:
        raise DataError(f"dataset.label_column: {missing} of {len(label)} rows of split '{split}' have no label list")
    out = label.map(lambda v: tuple(sorted({to_plain(x) for x in v}, key=str)))
    empty = int((out.map(len) == 0).sum())
    if empty:
        raise DataError(f"dataset.label_column: {empty} of {len(label)} rows of split '{split}' have an empty label "
                        "list; give every row at least one label (or drop those rows from the file)")
    return out


def clean_split(df: pd.DataFrame, cfg: dict, split: str) -> pd.DataFrame:
    """Check one raw split and return row_id / text / raw_label columns (raw_label: a value per row,
    or for a multi-label split a sorted tuple of values)."""
    check_columns(df, cfg, split)
    text, label = df[cfg["text_column"]], df[cfg["label_column"]]
    if len(df) == 0:
        raise DataError(f"split '{split}' is empty")
    if cfg["task"] == "multilabel" and cfg["label_separator"]:
        label = split_label_text(label, cfg["label_separator"])
    if split_task(label, cfg, split) == "multilabel":
        label = clean_label_lists(label, split)
        if cfg.get("label_map"):
            flat = pd.Series([x for t in label for x in t])
            mapped = dict(zip(flat, map_labels(flat, cfg["label_map"], split)))
            label = label.map(lambda t: tuple(sorted({mapped[x] for x in t}, key=str)))
    elif cfg.get("label_map"):
        label = map_labels(label, cfg["label_map"], split)
    cleaned = clean_texts(text, cfg, split)
    n_nan = int(label.map(lambda v: not is_list(v) and pd.isna(v)).sum())
    if n_nan == len(df):
        raise DataError(f"dataset.label_column: split '{split}' has no labels (all NaN)")
    if n_nan:
        raise DataError(f"dataset.label_column: {n_nan} of {len(df)} rows of split '{split}' have no label (NaN)")
    if pd.api.types.is_numeric_dtype(label) and not label.map(is_list).any():
        n_unlabelled = int((label < 0).sum())
        if n_unlabelled == len(df):
            raise DataError(
                f"dataset.label_column: split '{split}' carries no labels (all {label.iloc[0]}); "
                "choose a labelled split for dataset.eval_split / dataset.pool_split"
            )
        if n_unlabelled:
            values = sorted(pd.unique(label[label < 0]).tolist())
            raise DataError(
                f"dataset.label_column: {n_unlabelled} of {len(df)} rows of split '{split}' have negative labels "
                f"{values[:3]}, which the Hugging Face Hub uses for 'no label'; if they are classes here, name every "
                f"label with dataset.label_map (e.g. {{-1: negative, 1: positive}})"
            )
    return pd.DataFrame({"row_id": np.arange(len(df), dtype=np.int64), "text": cleaned.to_numpy(), "raw_label": label.to_numpy()})


def clean_texts(text: pd.Series, cfg: dict, split: str) -> pd.Series:
    """A split's text column, cleaned (dataset.lowercase: lowercased and stripped, else stripped); no text
    (NaN) or an empty text after cleaning is a one-line error with counts."""
    n_nan = int(text.isna().sum())
    if n_nan:
        raise DataError(f"dataset.text_column: {n_nan} of {len(text)} rows of split '{split}' have no text (NaN)")
    cleaned = text.map(clean_text) if cfg["lowercase"] else text.map(lambda t: str(t).strip())
    n_empty = int((cleaned == "").sum())
    if n_empty:
        raise DataError(f"dataset.text_column: {n_empty} of {len(text)} rows of split '{split}' have empty text")
    return cleaned


def to_plain(v):
    return v.item() if hasattr(v, "item") else v
