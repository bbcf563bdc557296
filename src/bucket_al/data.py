"""Step 1: load the labelled splits (hub id or local files), clean the text, map labels to ids.

The output of :func:`prepare` is two DataFrames, ``pool`` and ``eval``, each with columns
``row_id`` (the row's position in its source split: stable across runs), ``text`` and
``label`` (an int id), plus the label names in id order.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError, DataError
from .hub import from_hub

log = logging.getLogger(__name__)

# Text such as "NA" or "null" is a sentence, not a missing value: only empty fields are missing.
# TSV is read GLUE-style, with no quoting, so a field starting with '"' keeps its quotes.
READERS = {
    ".parquet": lambda p: pd.read_parquet(p),
    ".csv": lambda p: pd.read_csv(p, keep_default_na=False, na_values=[""]),
    ".tsv": lambda p: pd.read_csv(p, sep="\t", keep_default_na=False, na_values=[""], quoting=csv.QUOTE_NONE),
    ".jsonl": lambda p: pd.read_json(p, lines=True),
}


def clean_text(text: str) -> str:
    """The seed's light cleaning: lowercase and strip."""
    return str(text).lower().strip()


def check_splits(cfg: dict) -> None:
    if cfg["pool_split"] == cfg["eval_split"]:
        raise ConfigError("dataset.eval_split: must differ from dataset.pool_split (eval rows never enter the pool)")


def local_split_path(cfg: dict, split: str) -> Path | None:
    """The local file for ``split``: ``dataset.files[split]`` or ``<data_dir>/<split>.<ext>``;
    None when the dataset comes from the hub."""
    files = cfg.get("files") or {}
    if split in files:
        path = Path(files[split]).expanduser()
        if not path.is_file():
            raise DataError(f"dataset.files.{split}: file not found: {path}")
        return path
    if not cfg.get("data_dir"):
        return None
    data_dir = Path(cfg["data_dir"]).expanduser()
    if not data_dir.is_dir():
        raise DataError(f"dataset.data_dir: not a directory: {data_dir}")
    for ext in READERS:
        path = data_dir / f"{split}{ext}"
        if path.is_file():
            return path
    raise DataError(
        f"dataset.data_dir: no file for split '{split}' in {data_dir} "
        f"(looked for {split}{{{','.join(READERS)}}})"
    )


def read_local(path: Path) -> pd.DataFrame:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"{path}: unsupported file type '{path.suffix}' (use one of {', '.join(READERS)})")
    try:
        return reader(path)
    except Exception as exc:
        raise unreadable(path, exc) from exc


def unreadable(path: Path, exc: Exception) -> DataError:
    """The one-line error for a file that could not be read; raise it ``from exc``."""
    return DataError(f"{path}: unreadable: {type(exc).__name__}: {exc}".splitlines()[0])


def load_hub_split(name: str, hub_config: str | None, split: str) -> tuple[pd.DataFrame, dict]:
    """Load one split with ``datasets.load_dataset``; return it and its ClassLabel names by column."""

    def load():
        import datasets

        return datasets.load_dataset(name, hub_config, split=split)

    ds = from_hub(load, "dataset.name", name)
    import datasets

    class_names = {
        col: feat.names for col, feat in ds.features.items() if isinstance(feat, datasets.ClassLabel)
    }
    return ds.to_pandas(), class_names


def load_split(cfg: dict, split: str) -> tuple[pd.DataFrame, dict]:
    path = local_split_path(cfg, split)
    if path is not None:
        log.info("reading split '%s' from %s", split, path)
        return read_local(path), {}
    log.info("loading split '%s' of %s from the hub", split, cfg["name"])
    return load_hub_split(cfg["name"], cfg.get("hub_config"), split)


def check_columns(df: pd.DataFrame, cfg: dict, split: str) -> None:
    for key in ("text_column", "label_column"):
        col = cfg[key]
        if col not in df.columns:
            raise DataError(
                f"dataset.{key}: column '{col}' not in split '{split}' "
                f"(columns: {', '.join(map(str, df.columns))})"
            )


def clean_split(df: pd.DataFrame, cfg: dict, split: str) -> pd.DataFrame:
    """Check one raw split and return row_id / text / raw_label columns."""
    check_columns(df, cfg, split)
    text, label = df[cfg["text_column"]], df[cfg["label_column"]]
    if len(df) == 0:
        raise DataError(f"split '{split}' is empty")
    n_nan = int(text.isna().sum())
    if n_nan:
        raise DataError(f"dataset.text_column: {n_nan} of {len(df)} rows of split '{split}' have no text (NaN)")
    cleaned = text.map(clean_text) if cfg.get("lowercase", True) else text.map(lambda t: str(t).strip())
    n_empty = int((cleaned == "").sum())
    if n_empty:
        raise DataError(f"dataset.text_column: {n_empty} of {len(df)} rows of split '{split}' have empty text")
    n_nan = int(label.isna().sum())
    if n_nan == len(df):
        raise DataError(f"dataset.label_column: split '{split}' has no labels (all NaN)")
    if n_nan:
        raise DataError(f"dataset.label_column: {n_nan} of {len(df)} rows of split '{split}' have no label (NaN)")
    if pd.api.types.is_numeric_dtype(label):
        n_unlabelled = int((label < 0).sum())
        if n_unlabelled == len(df):
            raise DataError(
                f"dataset.label_column: split '{split}' carries no labels (all {label.iloc[0]}); "
                "choose a labelled split for dataset.eval_split / dataset.pool_split"
            )
        if n_unlabelled:
            raise DataError(
                f"dataset.label_column: {n_unlabelled} of {len(df)} rows of split '{split}' are unlabelled (negative label)"
            )
    return pd.DataFrame({"row_id": np.arange(len(df), dtype=np.int64), "text": cleaned.to_numpy(), "raw_label": label.to_numpy()})


def subsample(df: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """A seeded subsample of ``limit`` rows (for quick runs), kept in source order."""
    if not limit or limit >= len(df):
        return df
    return df.sample(n=limit, random_state=0).sort_values("row_id").reset_index(drop=True)


def label_vocabulary(pool_labels: pd.Series) -> list:
    """Sorted distinct label values of the pool: their positions are the label ids."""
    values = sorted(pd.unique(pool_labels).tolist())
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
    kp, ke = label_kind(pool), label_kind(eval_)
    if kp != ke:
        raise DataError(
            f"dataset.label_column: the pool split '{cfg['pool_split']}' has {kp} labels "
            f"({sorted(pd.unique(pool).tolist(), key=str)[:3]}) but the eval split '{cfg['eval_split']}' has "
            f"{ke} labels ({sorted(pd.unique(eval_).tolist(), key=str)[:3]}); make both files use one type")


UNSEEN_EVAL_LABELS = ("error", "drop")
EVAL_OVERLAP = ("warn", "drop", "error")


def drop_unseen_eval_labels(eval_: pd.DataFrame, values: list, cfg: dict, report: dict) -> pd.DataFrame:
    """Eval rows whose label the pool never shows: an error (default), or left out of the evaluation
    with ``dataset.unseen_eval_labels: drop`` (recorded in ``report``)."""
    unseen = ~eval_["raw_label"].isin(values)
    if not unseen.any():
        return eval_
    labels = sorted(pd.unique(eval_.loc[unseen, "raw_label"]).tolist(), key=str)
    if cfg.get("unseen_eval_labels", "error") == "error":
        raise DataError(
            f"dataset.label_column: split '{cfg['eval_split']}' has {int(unseen.sum())} rows with labels the pool "
            f"never shows: {labels[:5]}; set dataset.unseen_eval_labels: drop to leave them out of the evaluation")
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
    mode = cfg.get("eval_overlap", "warn")
    what = f"{eval_rows} eval rows have their text in the pool ({int(in_eval.sum())} pool rows)"
    if mode == "error":
        raise DataError(f"dataset.eval_overlap: {what}; set dataset.eval_overlap: drop to leave those pool rows out, "
                        "or warn to keep them")
    if mode == "warn":
        warn(report, f"{what}: a model can see an eval row's text with its label (dataset.eval_overlap: drop "
                     "leaves them out of the pool)")
        return pool
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
        labels_per_text = df.groupby("text")["raw_label"].nunique()
        conflicting = int((labels_per_text > 1).sum())
        if conflicting:
            warn(report, f"{role} split '{split}': {conflicting} texts carry more than one label")
    if eval_["raw_label"].nunique() == 1:
        warn(report, f"eval split '{cfg['eval_split']}' holds one class only ({to_plain(eval_['raw_label'].iloc[0])!r}): "
                     "accuracy and macro-F1 say little about the other classes")


def warn(report: dict, message: str) -> None:
    log.warning("%s", message)
    report["warnings"].append(message)


def to_plain(v):
    return v.item() if hasattr(v, "item") else v


def prepare(cfg: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Load, check and clean the pool and eval splits named in ``cfg`` (the ``dataset`` config).

    Returns ``pool``, ``eval`` (row_id, text, label) and the label mapping
    ``{"values": [...], "names": [...], "warnings": [...], "dropped": {...}}`` where a label id is a
    position in the first two lists; ``warnings`` holds one line per data problem that may be
    legitimate, ``dropped`` what dataset.unseen_eval_labels / dataset.eval_overlap left out.
    """
    check_splits(cfg)
    limits = cfg.get("limit") or {}
    frames, class_names = {}, {}
    for role in ("pool", "eval"):
        split = cfg[f"{role}_split"]
        raw, class_names[role] = load_split(cfg, split)
        frames[role] = subsample(clean_split(raw, cfg, split), limits.get(role))

    report = {"warnings": [], "dropped": {}}
    check_label_kinds(frames["pool"]["raw_label"], frames["eval"]["raw_label"], cfg)
    values = label_vocabulary(frames["pool"]["raw_label"])
    frames["eval"] = drop_unseen_eval_labels(frames["eval"], values, cfg, report)
    frames["pool"] = handle_overlap(frames["pool"], frames["eval"], cfg, report)
    data_warnings(frames["pool"], frames["eval"], cfg, report)
    index = {v: i for i, v in enumerate(values)}
    hub_names = class_names["pool"].get(cfg["label_column"])  # ClassLabel names, hub datasets only
    names = [hub_names[v] if hub_names and isinstance(v, (int, np.integer)) else str(v) for v in values]
    out = {}
    for role, df in frames.items():
        out[role] = pd.DataFrame(
            {"row_id": df["row_id"], "text": df["text"], "label": df["raw_label"].map(index).astype(np.int64)}
        )
    mapping = {"values": [to_plain(v) for v in values], "names": names, **report}
    log.info("pool: %d rows, eval: %d rows, %d classes %s", len(out["pool"]), len(out["eval"]), len(names), names)
    return out["pool"], out["eval"], mapping
