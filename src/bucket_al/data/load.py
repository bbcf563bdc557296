"""The splits' sources: a local file (parquet, csv, tsv, jsonl) or a Hub dataset; which one a split comes from."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, DataError
from ..hub import from_hub

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
