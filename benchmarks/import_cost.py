"""What a job spends on imports before it does any arithmetic: ``python -X importtime`` of the imports
of a linear round job (its selection and its model, the same lines as tests/test_imports.py), outside a job and as
in one (where SciPy's docstring notes are skipped: bucket_al.runtime.skip_scipy_docstring_notes), beside
``import torch`` for scale. Prints the total and the packages that cost most (the self time of their modules, as
-X importtime reports it), and whether a deep-learning library was imported.

    python benchmarks/import_cost.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from collections import defaultdict

ROUND_JOB = (  # ... and what LinearLearner.fit imports when it trains: scikit-learn (which imports scipy.stats)
    "from bucket_al.model import run_model\nfrom bucket_al.learners import make_learner\n"
    "make_learner('linear', ['a', 'b'], {'C': 1.0, 'max_iter': 100})\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from bucket_al.rounds import query_round\nfrom bucket_al.plugins import QUERIES\n"
    "QUERIES.get('within_bucket')")
CASES = {
    "linear round job (within_bucket), outside a job": ROUND_JOB,
    # what bucket_al/__init__.py does in a process Snakemake started for a script: SciPy's docstring notes skipped
    "the same, as in a job": ("from bucket_al.runtime import skip_scipy_docstring_notes\n"
                              "skip_scipy_docstring_notes()\n" + ROUND_JOB),
    "import torch (for scale)": "import torch",
}
HEAVY = ("torch", "transformers", "sentence_transformers", "setfit")
LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def importtime(code: str) -> tuple[dict[str, int], int, list[str]]:
    """({top-level package: the self time of its modules, us}, total us, heavy modules imported) of one
    fresh interpreter. Self times add up without counting a nested import twice."""
    probe = code + f"\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", probe], capture_output=True, text=True, check=True)
    top: dict[str, int] = defaultdict(int)
    for line in proc.stderr.splitlines():
        m = LINE.match(line)
        if m:
            top[m.group(4).split(".")[0]] += int(m.group(1))
    return dict(top), sum(top.values()), [h for h in proc.stdout.strip().split(",") if h]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="fresh interpreters per case (the median is printed)")
    args = ap.parse_args()
    for name, code in CASES.items():
        runs = [importtime(code) for _ in range(args.repeat)]
        total = statistics.median(r[1] for r in runs) / 1e6
        top = runs[-1][0]
        costly = sorted(top.items(), key=lambda kv: -kv[1])[:6]
        print(f"{name}: imports {total:.2f} s (median of {args.repeat}); deep-learning libraries imported: "
              f"{', '.join(runs[-1][2]) or 'none'}")
        print("   " + ", ".join(f"{pkg} {us / 1e6:.2f} s" for pkg, us in costly))


if __name__ == "__main__":
    main()
