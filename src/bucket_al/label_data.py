"""Labelling mode's data step: the person's pool, with a text column and an optional label column.

The pool is read as in the experiment (bucket_al.data: a local file or a Hub id; row ids are the rows'
positions in the file, so a pool holds the same row ids in both modes). Rows that carry a label are
seed labels; the rest are unlabelled. The label set is ``label.names`` when given (its order is the
label ids' order), else the seed labels' sorted values.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .data import clean_texts, load_split, subsample, to_plain
from .errors import ConfigError, DataError
from .label import label_lookup, parse_label

log = logging.getLogger(__name__)


def prepare_label_pool(cfg: dict, names: list) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """``pool`` (row_id, text), ``seed`` (row_id, label: a name, or a list of names for a multi-label
    task) and the label mapping of labels.json, from the pool split of ``cfg`` (the dataset block)."""
    split = cfg["pool_split"]
    raw, _ = load_split(cfg, split)
    if cfg["text_column"] not in raw.columns:
        raise DataError(f"dataset.text_column: column '{cfg['text_column']}' not in split '{split}' "
                        f"(columns: {', '.join(map(str, raw.columns))})")
    if len(raw) == 0:
        raise DataError(f"split '{split}' is empty")
    cleaned = clean_texts(raw[cfg["text_column"]], cfg, split)
    pool = pd.DataFrame({"row_id": np.arange(len(raw), dtype=np.int64), "text": cleaned.to_numpy()})
    given = raw[cfg["label_column"]] if cfg["label_column"] in raw.columns else pd.Series([None] * len(raw))
    pool["given"] = given.to_numpy()
    pool = subsample(pool, (cfg.get("limit") or {}).get("pool"))  # the experiment's seeded subsample, same rows
    given = pool.pop("given")

    multilabel = cfg["task"] == "multilabel"
    has = given.map(lambda v: isinstance(v, (list, tuple, np.ndarray)) or (not pd.isna(v) and str(v).strip() != ""))
    # a column of whole numbers with blanks reads as floats (1.0): a label is its name, "1"
    values = given[has].map(lambda v: int(v) if isinstance(v, float) and v.is_integer() else v)
    if cfg.get("label_map"):
        values = values.map(lambda v: cfg["label_map"].get(v, v))
    if multilabel and cfg.get("label_separator"):
        values = values.map(lambda v: [p for p in str(v).split(cfg["label_separator"]) if p.strip()]
                            if isinstance(v, str) else v)
    warnings = []
    if not names:
        flat = [x for v in values for x in (v if multilabel and not isinstance(v, str) else [v])]
        names = sorted({str(to_plain(x)).strip() for x in flat})
        if len(names) < 2:
            raise ConfigError("label.names: no label set; give the labels (label.names) or at least two labelled "
                              "seed rows of different labels")
    names = [str(n) for n in names]
    lookup, variants = label_lookup(names), {}
    where = f"dataset.label_column '{cfg['label_column']}' of split '{split}'"
    seed_labels = []
    for row_id, v in zip(pool["row_id"][has.to_numpy()], values):
        if multilabel:
            items = v if not isinstance(v, str) else [v]
            seed_labels.append(sorted({parse_label(to_plain(x), lookup, where, row_id, variants) for x in items},
                                      key=names.index))
        else:
            seed_labels.append(parse_label(to_plain(v), lookup, where, row_id, variants))
    warnings += [f"{where}: {n} rows labelled {text!r}, read as {name!r}"
                 for (text, name), n in sorted(variants.items())]
    seed = pd.DataFrame({"row_id": pool["row_id"][has.to_numpy()].to_numpy(), "label": seed_labels})
    meta = {"task": "multilabel" if multilabel else "single", "values": names, "names": names,
            "warnings": warnings, "notes": [f"pool: {len(pool)} rows, {len(seed)} of them with a seed label"],
            "dropped": {}}
    log.info("label pool: %d rows, %d seed labels, label set %s", len(pool), len(seed), names)
    return pool, seed, meta
