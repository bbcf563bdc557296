"""Step 12: from every model's metrics.json to the experiment's tables and plot.

Every strategy arm is paired with the same random twin (arm ``random``) seed by seed. Two families of
tests, each Holm-corrected: the headline test, one paired t-test per arm on the per-seed area under
the learning curve (family: the arms), and per-round paired t-tests (family: every arm x round).

The parts: ``stats`` (tests and intervals), ``tables`` (from the metrics to the tables), ``text``
(results.txt), ``plots`` (the learning curve).
"""

from __future__ import annotations

from .plots import plot_learning_curve
from .stats import ALPHA, CONSTANT_NOTE, FEW_NOTE, ZERO_NOTE, holm, paired_p, paired_test, supported, t_interval
from .tables import (AUC_COLUMNS, METRICS, PAIR_COLUMNS, REFERENCES, ROUND_COLUMNS, SUMMARY_COLUMNS, TWIN, ZERO_SHOT,
                     area_under_curve, arm_rows, auc_table, check_metric, curve_stats, labels_to_reach, mean_curve,
                     pair_table, round_table, seed_auc, summary_frame, twin_auc_over, write_csv)
from .text import fmt, fmt_ci, fmt_p, reading, render_pairs, render_text

__all__ = ["ALPHA", "AUC_COLUMNS", "CONSTANT_NOTE", "FEW_NOTE", "ZERO_NOTE", "METRICS", "PAIR_COLUMNS", "REFERENCES", "ROUND_COLUMNS", "SUMMARY_COLUMNS", "TWIN",
           "ZERO_SHOT", "area_under_curve", "arm_rows", "auc_table", "check_metric", "curve_stats", "fmt", "fmt_ci",
           "fmt_p", "holm", "labels_to_reach", "mean_curve", "pair_table", "paired_p", "paired_test",
           "plot_learning_curve", "reading", "render_pairs", "render_text", "round_table", "seed_auc", "summary_frame",
           "supported", "t_interval", "twin_auc_over", "write_csv"]
