"""Step 1: load the labelled splits (hub id or local files), clean the text, map labels to ids.

The output of :func:`prepare` is two DataFrames, ``pool`` and ``eval``, each with columns
``row_id`` (the row's position in its source split: stable across runs), ``text`` and
``label`` (an int id), plus the label names in id order. The parts: ``load`` (a split's source),
``clean`` (a split's text and labels), ``split`` (eval_fraction, limit), ``checks`` (across the splits).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..errors import DataError
from .checks import (check_label_kinds, data_warnings, drop_unseen_eval_labels, handle_overlap, label_vocabulary,
                     multilabel_notes)
from .clean import clean_split, clean_text, clean_texts, to_plain
from .load import check_splits, load_split, local_split_path, read_local, unreadable
from .split import split_off_eval, subsample

log = logging.getLogger(__name__)

__all__ = ["check_splits", "clean_text", "clean_texts", "load_split", "local_split_path", "prepare", "read_local",
           "subsample", "to_plain", "unreadable"]


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
