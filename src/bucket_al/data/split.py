"""The eval rows split off the pool's file (dataset.eval_fraction), and the seeded subsample of quick runs (dataset.limit)."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
