"""The statistics of the tables: paired t-tests, Holm's correction, t intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


ALPHA = 0.05
CONSTANT_NOTE = "constant difference over seeds"
ZERO_NOTE = "no difference on any seed"
FEW_NOTE = "fewer than 2 paired seeds"
# differences closer than this count as equal: accuracies are ratios of counts, and two equal
# differences of them can disagree in the last bits of a float
TIE_TOL = 1e-12


def paired_test(a, b) -> tuple[float, str]:
    """Two-sided paired t-test of ``a`` against ``b`` (one pair per seed): ``(p, note)``.

    - fewer than 2 pairs: ``(nan, FEW_NOTE)``. The t statistic divides the mean difference by its
      standard error, and one pair gives no estimate of how much the difference varies over seeds,
      so there is nothing to test against.
    - every difference zero: ``(1.0, ZERO_NOTE)``; the arms agree on every seed.
    - every difference the same non-zero value: ``(0.0, CONSTANT_NOTE)``; the spread is zero, so the
      t statistic is infinite (scipy itself returns NaN here).
    Differences within ``TIE_TOL`` of each other count as equal."""
    from scipy.stats import ttest_rel

    d = np.asarray(a, float) - np.asarray(b, float)
    if len(d) < 2:
        return float("nan"), FEW_NOTE
    if np.all(np.abs(d) <= TIE_TOL):
        return 1.0, ZERO_NOTE
    if np.ptp(d) <= TIE_TOL:
        return 0.0, CONSTANT_NOTE
    return float(ttest_rel(a, b).pvalue), ""


def paired_p(a, b) -> float:
    """The p-value of :func:`paired_test`."""
    return paired_test(a, b)[0]


def holm(p) -> np.ndarray:
    """Holm's step-down adjusted p-values, in the input's order. NaN p-values (untestable) stay NaN
    and are not counted in the family. The i-th smallest of m p-values becomes
    max over j <= i of min(1, (m - j + 1) * p_(j))."""
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adjusted = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(adjusted) if m else adjusted
    return out


def t_interval(x, level: float = 0.95) -> tuple[float, float]:
    """Two-sided t-interval for the mean of ``x``; NaN bounds with fewer than two values."""
    from scipy.stats import t

    x = np.asarray(x, float)
    if len(x) < 2:
        return float("nan"), float("nan")
    half = t.ppf((1 + level) / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


def supported(row) -> bool:
    """Whether the paired test on the AUC backs the difference: Holm p below ALPHA."""
    return bool(not pd.isna(row["p_holm"]) and row["p_holm"] < ALPHA)
