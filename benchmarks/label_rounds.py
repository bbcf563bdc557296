"""The labelling mode played through by a simulated annotator, against the experiment mode: per round,
the rows offered must be the rows the experiment picks for the same arm, seed, learner and config, and
the models the same (stop-set predictions, pool scores); and how long the person waits (the first batch
of a new pool, and each round from a saved label file to the next batch) beside an experiment round.

    python benchmarks/label_rounds.py --data sst2 [--rounds 5] [--arm within_bucket]
    python benchmarks/label_rounds.py --data trec

1. The experiment mode: ``snakemake --cores 2 --configfile config/offline.yaml [config/trec.yaml] <layer>``
   with one seed, one arm, ``--rounds`` rounds and no stop rule, in a fresh results folder under this repo.
2. The labelling mode with the same configs and ``mode: label``: the same pool file with its label column
   hidden (``dataset.label_column`` names a column the file has not), no audit sample. Round by round the
   same command runs, and the simulated person fills in the open batch's labels from the file's true
   labels (row id = the row's position in the file) and saves them as ``labels/round<r>.csv``.

Prints per round: rows offered, whether they equal the experiment's round (and the stop-set predictions
and pool scores), the wall seconds of the labelling command and of the experiment's round job (its
benchmark file), the embedding's share of the first batch. Exits 1 if any round differs.
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
SHARED = ROOT.parent / "shared" / "data"
DATA = {  # configs layered on config/config.yaml, and the pool file with the true labels
    "sst2": (["config/offline.yaml"], SHARED / "sst2" / "train.parquet", "label"),
    "trec": (["config/offline.yaml", "config/trec.yaml"], SHARED / "trec" / "train.parquet", "label"),
}


def snakemake(configs: list[str], layer: dict, work: Path, name: str) -> tuple[subprocess.CompletedProcess, float]:
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump(layer))
    cmd = [str(Path(sys.executable).with_name("snakemake")), "--cores", "2", "--configfile", *configs, str(path)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(proc.stdout[-3000:] + proc.stderr[-3000:])
    return proc, wall


def jobs_of(proc: subprocess.CompletedProcess) -> list[str]:
    return re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", proc.stdout + proc.stderr)


def bench_s(path: Path) -> float | None:
    return round(float(pd.read_csv(path, sep="\t")["s"].iloc[-1]), 1) if path.is_file() else None


def same(a: Path, b: Path) -> bool | None:
    """Whether two parquet tables are equal (None where the experiment has no such file)."""
    if not b.is_file():
        return None
    return pd.read_parquet(a).equals(pd.read_parquet(b))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=sorted(DATA), default="sst2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--arm", default="within_bucket")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the results folder")
    args = ap.parse_args()
    configs, pool_file, label_column = DATA[args.data]
    truth = pd.read_parquet(pool_file)[label_column].astype(str).to_numpy()
    work = Path(tempfile.mkdtemp(prefix=f"bench-results-label-{args.data}-", dir=ROOT))
    results, labels = work / "results", work / "labels"
    common = {"results": str(results), "seeds": [args.seed],
              "selection": {"arms": [args.arm], "rounds": args.rounds, "stop": None}}

    experiment, exp_wall = snakemake(configs, {**common, "experiment": "experiment"}, work, "experiment")
    print(f"experiment mode: {exp_wall:.1f} s, {len(jobs_of(experiment))} jobs", flush=True)
    exp = results / "experiment"

    layer = {**common, "experiment": "label", "mode": "label",
             "dataset": {"label_column": "hidden_from_the_run"},
             "label": {"folder": str(labels), "names": sorted(set(truth)), "audit": 0}}
    out = results / "label" / "label"
    from bucket_al.arms import parse_arms

    first_unit = parse_arms([args.arm])[0].cold_unit  # the experiment's round 0: the arm's cold start

    def experiment_round(q: int) -> str:
        return f"{first_unit if q == 0 else args.arm}/seed{args.seed}/round{q}"

    rows, differs = [], False
    for r in range(args.rounds + 1):
        start = time.time()
        proc, wall = snakemake(configs, layer, work, "label")
        embed_s = None
        if "embed" in jobs_of(proc):  # the embedding jobs this command ran
            bench = [p for p in (results / "embeddings").rglob("embed_*.tsv") if p.stat().st_mtime >= start]
            embed_s = sum(bench_s(p) for p in bench)
        row = {"after": "a new pool" if r == 0 else f"round {r - 1}'s labels", "wall_s": round(wall, 1),
               "embed_s": None if embed_s is None else round(embed_s, 1)}
        if r > 0:  # round r-1's model trained in this command: compare it with the experiment's
            q = r - 1
            theirs = exp / experiment_round(q)
            row["stop_set_same"] = same(out / f"round{q}" / "stop_set.parquet", theirs / "stop_set.parquet")
            row["scores_same"] = same(out / f"round{q}" / "scores.parquet", theirs / "scores.parquet")
            row["experiment_round_job_s"] = bench_s(exp / "benchmarks" / experiment_round(q) / "round.tsv")
        if r < args.rounds:  # the open batch against the experiment's round r, then the person labels it
            batch = pd.read_csv(out / f"round{r}" / "batch.csv", keep_default_na=False)
            manifest = pd.read_parquet(exp / experiment_round(r) / "manifest.parquet")
            row["offered"] = len(batch)
            row["rows_same"] = sorted(batch["row_id"]) == sorted(manifest.loc[manifest["round"] == r, "row_id"])
            batch["label"] = truth[batch["row_id"].to_numpy()]
            labels.mkdir(exist_ok=True)
            batch[["row_id", "label"]].to_csv(labels / f"round{r}.csv", index=False)
        differs |= any(row.get(k) is False for k in ("rows_same", "stop_set_same", "scores_same"))
        rows.append(row)
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(table.to_string(index=False))
    first, later = table.iloc[0], table["wall_s"].iloc[1:]
    print(f"first batch: {first['wall_s']} s, of which the embedding {first['embed_s']} s "
          f"(the rest: {first['wall_s'] - (first['embed_s'] or 0):.1f} s)")
    print(f"label file -> next batch: median {later.median():.1f} s, max {later.max():.1f} s over {len(later)} rounds; "
          f"an experiment round job: median {table['experiment_round_job_s'].median():.1f} s")
    print("every round equal to the experiment's" if not differs else "ROUNDS DIFFER from the experiment's")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)
    sys.exit(1 if differs else 0)


if __name__ == "__main__":
    main()
