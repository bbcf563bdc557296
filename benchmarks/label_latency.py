"""How long a person waits in the labelling mode: the first batch of a new pool, and each round from a
saved label file to the next batch, with a simulated annotator answering from the true labels. (An
experiment round of the same arm, for comparison: the round rules' wall per job in bench_workflow.py.)

    python benchmarks/label_latency.py [--rounds 5] [--pool ../shared/data/sst2/train.parquet]

Runs ``snakemake --cores 2 --configfile config/label.yaml`` (SST-2's pool with its labels hidden, MiniLM,
the linear learner, within_bucket, no audit sample, no stop rule) in a fresh results folder under this
repo, round by round, and prints per round the wall seconds of the whole command and of its jobs (their
logged CPU seconds), and the embedding's share of the first batch. Asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--truth", default=str(ROOT.parent / "shared/data/sst2/train.parquet"),
                    help="the pool file with its labels (the annotator reads them; the run does not)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    truth = pd.read_parquet(args.truth)["label"].to_numpy()
    work = Path(tempfile.mkdtemp(prefix="bench-results-label-", dir=ROOT))
    labels = work / "labels"
    layer = work / "layer.yaml"
    layer.write_text(yaml.safe_dump({"results": str(work / "results"), "selection": {"rounds": args.rounds + 1,
                                     "stop": None}, "label": {"folder": str(labels), "audit": 0}}))
    cmd = [str(Path(sys.executable).with_name("snakemake")), "--cores", "2", "--configfile", "config/label.yaml",
           str(layer)]
    out = work / "results" / "sst2-label" / "label"
    rows = []
    for r in range(args.rounds + 1):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode:
            sys.exit(proc.stdout[-3000:] + proc.stderr[-3000:])
        jobs = re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", proc.stdout + proc.stderr)
        embed_s = None
        if "embed" in jobs:
            bench = list((work / "results" / "embeddings").rglob("benchmarks/*.tsv"))
            embed_s = sum(pd.read_csv(p, sep="\t")["s"].iloc[-1] for p in bench)
        rows.append({"after": "a new pool" if r == 0 else f"round {r - 1}'s labels", "wall_s": round(wall, 1),
                     "embed_s": None if embed_s is None else round(embed_s, 1),
                     "jobs": ", ".join(sorted(set(jobs) - {"all"}))})
        if r < args.rounds:  # the simulated person labels the open batch
            batch = pd.read_csv(out / f"round{r}" / "batch.csv", keep_default_na=False)
            batch["label"] = truth[batch["row_id"].to_numpy()]
            labels.mkdir(exist_ok=True)
            batch[["row_id", "label"]].to_csv(labels / f"round{r}.csv", index=False)
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 160)
    print(table.to_string(index=False))
    first = table.iloc[0]
    print(f"first batch: {first['wall_s']} s, of which the embedding {first['embed_s']} s "
          f"(the rest: {first['wall_s'] - (first['embed_s'] or 0):.1f} s)")
    later = table["wall_s"].iloc[1:]
    print(f"label file -> next batch: median {later.median():.1f} s, max {later.max():.1f} s over {len(later)} rounds")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
