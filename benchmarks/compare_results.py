"""Do two results folders of the same experiment hold the same results?

    python benchmarks/compare_results.py OLD/<experiment> NEW/<experiment>

Compares, file by file, what both folders hold: every manifest (byte for byte), every model's
metrics.json (every value of the older file, exactly), the stop-set predictions and the scores
tables (every value, exactly), and the tables (summary, round, AUC, stopping: every value). Files that
only one folder holds are listed, not compared (e.g. scores the new layout no longer writes for a model
that no round selects from, or the results of an arm that only the new run has). Exits 1 on any
difference, when a manifest or a metrics.json of the old folder is missing from the new one (a result
lost), or when the folders share no manifest (nothing was compared).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

TABLES = ("summary.csv", "round_table.csv", "auc_table.csv", "stopping.csv", "stop_trace.csv")
KEYS = {"summary.csv": ["arm", "seed", "round"]}  # rows matched by these; the others must be equal whole


def relative(folder: Path, pattern: str) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob(pattern) if "logs" not in p.parts}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    args = ap.parse_args()
    problems, counts = [], {}

    def compare(pattern, same):
        a, b = relative(args.old, pattern), relative(args.new, pattern)
        both = sorted(a & b)
        bad = [rel for rel in both if not same(args.old / rel, args.new / rel)]
        problems.extend(f"differs: {rel}" for rel in bad)
        counts[pattern] = (len(both), len(bad), len(a - b), len(b - a))
        return a - b, b - a

    only = {}
    only["manifest"] = compare("manifest.parquet", lambda x, y: x.read_bytes() == y.read_bytes())

    def metrics_equal(x, y):
        old, new = json.loads(x.read_text()), json.loads(y.read_text())
        return all(new.get(k) == v for k, v in old.items())

    only["metrics"] = compare("metrics.json", metrics_equal)
    frames_equal = lambda x, y: pd.read_parquet(x).equals(pd.read_parquet(y))  # noqa: E731
    only["stop_set"] = compare("stop_set.parquet", frames_equal)
    only["scores"] = compare("scores.parquet", frames_equal)
    for name in TABLES:
        if (args.old / name).is_file() and (args.new / name).is_file():
            old, new = pd.read_csv(args.old / name), pd.read_csv(args.new / name)
            keys = KEYS.get(name)
            if keys:  # rows of models that only one folder holds are listed above, not compared
                both = old.merge(new[keys], on=keys).sort_values(keys, ignore_index=True)
                same = both.equals(new.merge(old[keys], on=keys).sort_values(keys, ignore_index=True))
                counts[name] = (len(both), int(not same), len(old) - len(both), len(new) - len(both))
            else:
                same = old.equals(new)
                counts[name] = (1, int(not same), 0, 0)
            if not same:
                problems.append(f"differs: {name}")

    for what, (n, bad, old_only, new_only) in counts.items():
        print(f"{what:<20} compared {n:>5}, different {bad:>3}; only in old {old_only:>4}, only in new {new_only:>4}")
    for kind in ("manifest", "metrics"):
        for side, files in zip(("old", "new"), only[kind]):
            for rel in sorted(files)[:5]:
                print(f"  {kind} only in {side}: {rel}")
    for kind in ("manifest", "metrics"):
        if only[kind][0]:
            problems.append(f"{len(only[kind][0])} {kind} file(s) of the old folder missing from the new one")
    if not counts["manifest.parquet"][0]:
        problems.append("no manifest in both folders: nothing was compared")
    for p in problems:
        print(p)
    print("IDENTICAL" if not problems else f"{len(problems)} DIFFERENCES")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
