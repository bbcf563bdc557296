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
# The text column is read as text whatever it looks like ("0850624" stays "0850624", not 850624.0).
def as_text(column: str | None) -> dict | None:
    return {column: str} if column else None


READERS = {
    ".parquet": lambda p, text: pd.read_parquet(p),
    ".csv": lambda p, text: pd.read_csv(p, keep_default_na=False, na_values=[""], dtype=as_text(text)),
    ".tsv": lambda p, text: pd.read_csv(p, sep="\t", keep_default_na=False, na_values=[""], quoting=csv.QUOTE_NONE,
                                        dtype=as_text(text)),
    ".jsonl": lambda p, text: pd.read_json(p, lines=True, dtype=as_text(text) or True),
}


def clean_text(text: str) -> str:
    """The seed's light cleaning: lowercase and strip."""
    return str(text).lower().strip()


def check_splits(cfg: dict) -> None:
    """The two splits come from one source, and are two splits; with ``eval_fraction`` the eval rows
    are split off the pool's file, and no eval file may be named."""
    files = cfg.get("files") or {}
    pool, eval_ = cfg["pool_split"], cfg["eval_split"]
    if cfg.get("eval_fraction"):
        if eval_ in files:
            raise ConfigError(f"dataset.eval_fraction: set, but dataset.files.{eval_} names an eval file too; "
                              "give one of the two (eval_fraction splits the eval rows off the pool's file)")
        return
    if pool == eval_:
        raise ConfigError("dataset.eval_split: must differ from dataset.pool_split (eval rows never enter the pool); "
                          "with one labelled file, set dataset.eval_fraction to split it")
    sources = {role: split_source(cfg, split) for role, split in (("pool", pool), ("eval", eval_))}
    kind = {role: key.split(".")[1] for role, (key, _) in sources.items()}  # files, data_dir or name
    if kind["pool"] != kind["eval"]:
        (pk, pv), (ek, ev) = sources["pool"], sources["eval"]
        raise ConfigError(
            f"{pk} and {ek}: the pool split '{pool}' would come from {pk} ({pv}) but the eval split '{eval_}' from "
            f"{ek} ({ev}), perhaps inherited from another config layer; give both splits one source "
            f"(dataset.files for both, or dataset.eval_fraction to split the pool's file), or set the other to null")


def split_source(cfg: dict, split: str) -> tuple[str, str]:
    """The config key a split is read through, and its value."""
    files = cfg.get("files") or {}
    if split in files:
        return f"dataset.files.{split}", str(files[split])
    if cfg.get("data_dir"):
        return "dataset.data_dir", str(cfg["data_dir"])
    return "dataset.name", str(cfg["name"])


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


def read_local(path: Path, text_column: str | None = None) -> pd.DataFrame:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"{path}: unsupported file type '{path.suffix}' (use one of {', '.join(READERS)})")
    try:
        return reader(path, text_column)
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
        return read_local(path, cfg["text_column"]), {}
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


def split_off_eval(df: pd.DataFrame, fraction: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``dataset.eval_fraction``: one labelled file split once into pool and eval rows, seeded and
    stratified: of each label's rows, a seeded ``fraction`` (rounded, at least one and never all of a
    label with two rows or more; a label with one row stays in the pool). Both keep the file's row ids."""
    rng = np.random.default_rng([seed, 7])
    strata = df["raw_label"]
    if strata.map(lambda v: isinstance(v, tuple)).all():  # multi-label: each row by its rarest label
        counts = pd.Series([x for t in strata for x in t]).value_counts()
        strata = strata.map(lambda t: min(t, key=lambda x: (counts[x], str(x))))
    eval_pos = []
    for value in sorted(pd.unique(strata).tolist(), key=str):
        rows = np.flatnonzero((strata == value).to_numpy())
        if len(rows) < 2:
            continue
        k = min(max(int(round(fraction * len(rows))), 1), len(rows) - 1)
        eval_pos.append(rng.permutation(rows)[:k])
    is_eval = np.zeros(len(df), dtype=bool)
    is_eval[np.concatenate(eval_pos) if eval_pos else []] = True
    return df[~is_eval].reset_index(drop=True), df[is_eval].reset_index(drop=True)


def subsample(df: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """A seeded subsample of ``limit`` rows (for quick runs), kept in source order."""
    if not limit or limit >= len(df):
        return df
    return df.sample(n=limit, random_state=0).sort_values("row_id").reset_index(drop=True)


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


def to_plain(v):
    return v.item() if hasattr(v, "item") else v


def prepare(cfg: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Load, check and clean the pool and eval splits named in ``cfg`` (the ``dataset`` config).

    Returns ``pool``, ``eval`` (row_id, text, label) and the label mapping
    ``{"task": ..., "values": [...], "names": [...], "warnings": [...], "notes": [...], "dropped": {...}}``
    where a label id is a position in the first two lists; ``label`` is a row's label id, or for a
    multi-label data set (``task: multilabel``) the sorted list of its label ids; ``warnings`` holds one
    line per data problem that may be legitimate, ``notes`` what the data looks like, ``dropped`` what
    dataset.unseen_eval_labels / dataset.eval_overlap left out.
    """
    check_splits(cfg)
    limits = cfg.get("limit") or {}
    frames, class_names = {}, {}
    report = {"warnings": [], "notes": [], "dropped": {}}
    if cfg.get("eval_fraction"):  # one labelled file: the eval rows are split off the pool's
        split = cfg["pool_split"]
        raw, class_names["pool"] = load_split(cfg, split)
        pool, eval_ = split_off_eval(clean_split(raw, cfg, split), cfg["eval_fraction"], cfg["split_seed"])
        frames = {"pool": subsample(pool, limits.get("pool")), "eval": subsample(eval_, limits.get("eval"))}
        report["split"] = {"from": split, "eval_fraction": cfg["eval_fraction"], "seed": cfg["split_seed"],
                           "pool_rows": len(pool), "eval_rows": len(eval_), "row_ids": "eval.parquet"}
        log.info("split '%s' into %d pool and %d eval rows (dataset.eval_fraction %g, seed %d, stratified)", split,
                 len(pool), len(eval_), cfg["eval_fraction"], cfg["split_seed"])
    else:
        for role in ("pool", "eval"):
            split = cfg[f"{role}_split"]
            raw, class_names[role] = load_split(cfg, split)
            frames[role] = subsample(clean_split(raw, cfg, split), limits.get(role))

    multi = {role: bool(len(df)) and isinstance(df["raw_label"].iloc[0], tuple) for role, df in frames.items()}
    if multi["pool"] != multi["eval"]:
        raise DataError(f"dataset.label_column: the pool split '{cfg['pool_split']}' holds "
                        f"{'lists of labels' if multi['pool'] else 'one label per row'}, the eval split "
                        f"'{cfg['eval_split']}' {'lists of labels' if multi['eval'] else 'one label per row'}; "
                        "give both the same kind")
    task = "multilabel" if multi["pool"] else "single"
    check_label_kinds(frames["pool"]["raw_label"], frames["eval"]["raw_label"], cfg)
    values = label_vocabulary(frames["pool"]["raw_label"])
    frames["eval"] = drop_unseen_eval_labels(frames["eval"], values, cfg, report)
    frames["pool"] = handle_overlap(frames["pool"], frames["eval"], cfg, report)
    data_warnings(frames["pool"], frames["eval"], cfg, report)
    if task == "multilabel":
        multilabel_notes(frames["pool"], frames["eval"], values, report)
    index = {v: i for i, v in enumerate(values)}
    hub_names = class_names["pool"].get(cfg["label_column"])  # ClassLabel names, hub datasets only
    names = [hub_names[v] if hub_names and isinstance(v, (int, np.integer)) else str(v) for v in values]
    out = {}
    for role, df in frames.items():
        if task == "multilabel":
            ids = df["raw_label"].map(lambda t: [index[x] for x in t])
        else:
            ids = df["raw_label"].map(index).astype(np.int64)
        out[role] = pd.DataFrame({"row_id": df["row_id"], "text": df["text"], "label": ids})
    mapping = {"task": task, "values": [to_plain(v) for v in values], "names": names, **report}
    log.info("pool: %d rows, eval: %d rows, %d %s %s", len(out["pool"]), len(out["eval"]), len(names),
             "labels (multi-label)" if task == "multilabel" else "classes", names)
    return out["pool"], out["eval"], mapping
