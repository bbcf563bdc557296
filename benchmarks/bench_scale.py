"""How the workflow's cost grows with the pool: the real workflow, from an empty results folder, on pools of
10^4, 10^5 and 10^6 rows built from SST-2's real vectors and labels, with precomputed vectors (encoder.vectors).

    python benchmarks/bench_scale.py --embeddings results/embeddings/<sst2 key>/<minilm key>
    python benchmarks/bench_scale.py --embeddings ... --sizes 100000 1000000 --configfile config/arms.yaml --seeds 0

The pools (an honest construction, not new data): pool row i of a pool of N rows is SST-2 train row j, drawn
with a seeded generator (without replacement while N <= 67,349); its vector is row j's MiniLM vector (the
``--embeddings`` folder's pool.parquet) plus seeded Gaussian noise of 0.1 times the vectors' standard
deviation per dimension (no two rows coincide); its label is row j's, its text row j's sentence with " #i"
appended (texts stay distinct). The eval split is SST-2's validation split with its own vectors (872 rows).
So a large pool is SST-2 many times over with jitter: the labels' structure is SST-2's, the size is real.

Each size runs ``snakemake --cores N --configfile config/config.yaml [--configfile ...] <layer>`` in a fresh
results folder (the layer names the pool files, their vectors, the seeds and the experiment) and prints per
rule and size: jobs, wall and CPU seconds per job, the largest job's peak RSS (MiB, its benchmark file);
then, between consecutive sizes, each rule's growth exponent (log of the CPU per job over log of the size
ratio: 1 grows with the pool, above 1 faster) and the CPU per pool row's growth; and per size the run's
wall, CPU and peak memory of all processes together.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))

from bench_workflow import run_workflow  # noqa: E402

SST2 = ROOT.parent / "shared" / "data" / "sst2"


def build_pool(folder: Path, size: int, pool_vectors, eval_vectors, seed: int = 0) -> dict:
    """Write a pool of ``size`` rows (train.parquet: text, label; train.npy) and the eval split
    (test.parquet, test.npy) into ``folder``; returns the dataset and encoder blocks of the config."""
    from bucket_al.io import read_vectors

    train = pd.read_parquet(SST2 / "train.parquet")
    ids, X = read_vectors(pool_vectors)
    X = np.asarray(X)[np.argsort(ids)]  # by row id: row j of the train file
    rng = np.random.default_rng([seed, size])
    j = rng.choice(len(train), size=size, replace=False) if size <= len(train) else rng.integers(len(train), size=size)
    noise = rng.standard_normal((size, X.shape[1]), dtype=np.float32) * (0.1 * X.std(axis=0))
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "train.npy", X[j] + noise)
    text = train["sentence"].to_numpy()[j]
    pd.DataFrame({"text": [f"{t} #{i}" for i, t in enumerate(text)],
                  "label": train["label"].to_numpy()[j]}).to_parquet(folder / "train.parquet")
    validation = pd.read_parquet(SST2 / "validation.parquet")
    eval_ids, E = read_vectors(eval_vectors)
    np.save(folder / "test.npy", np.asarray(E)[np.argsort(eval_ids)])
    validation.rename(columns={"sentence": "text"})[["text", "label"]].to_parquet(folder / "test.parquet")
    return {"dataset": {"data_dir": None, "text_column": "text", "label_column": "label",
                        "pool_split": "train", "eval_split": "test", "label_descriptions": None,
                        "files": {s: str(folder / f"{s}.parquet") for s in ("train", "test")}},
            "encoder": {"vectors": {s: str(folder / f"{s}.npy") for s in ("train", "test")}}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embeddings", type=Path, required=True,
                    help="an SST-2 embeddings folder of this workflow (pool.parquet, eval.parquet)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--configfile", nargs="*", default=[], help="config layers between config/config.yaml and the pool's")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the pools and results folders")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=ROOT)).resolve()
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    tables, runs = [], []
    for size in args.sizes:
        layer = build_pool(work / f"pool{size}", size, args.embeddings / "pool.parquet",
                           args.embeddings / "eval.parquet")
        layer |= {"experiment": f"scale-{size}", "seeds": args.seeds, "results": str(work / f"results{size}")}
        (work / f"layer{size}.yaml").write_text(yaml.safe_dump(layer))
        cmd = [snakemake, "--cores", str(args.cores), "--configfile", "config/config.yaml", *args.configfile,
               str(work / f"layer{size}.yaml")]
        print(f"{size:,} rows:", " ".join(cmd), flush=True)
        (work / f"results{size}").mkdir()
        run = run_workflow(cmd, ROOT, work / f"results{size}" / "snakemake.out")
        if run["returncode"]:
            sys.exit(f"snakemake failed for {size} rows: see {work / f'results{size}' / 'snakemake.out'}")
        table = run["table"].assign(rows=size)
        tables.append(table)
        runs.append({"rows": size, "jobs": run["jobs"], "wall_s": round(run["wall"], 1), "cpu_s": round(run["cpu"], 1),
                     "peak_gib_all": round(run["peak_total"] / 2**30, 2),
                     "peak_gib_largest": round(run["peak_single"] / 2**30, 2)})
        print(pd.DataFrame([runs[-1]]).to_string(index=False), flush=True)

    pd.set_option("display.width", 200)
    everything = pd.concat(tables, ignore_index=True)
    wide = everything.pivot_table(index="rule", columns="rows", values=["wall_s_per_job", "cpu_s_per_job", "max_rss_mib"])
    print("\nper rule and pool size (per job: wall s, CPU s; the largest job's peak RSS, MiB)")
    print(wide.round(2).to_string())
    growth = []
    for small, large in zip(args.sizes, args.sizes[1:]):
        for rule in sorted(set(everything["rule"])):
            a = everything[(everything["rule"] == rule) & (everything["rows"] == small)]
            b = everything[(everything["rule"] == rule) & (everything["rows"] == large)]
            if a.empty or b.empty or not (a["cpu_s_per_job"].iloc[0] > 0 and b["cpu_s_per_job"].iloc[0] > 0):
                continue  # a rule without a CPU figure (rule all, a local rule)
            ca, cb = a["cpu_s_per_job"].iloc[0], b["cpu_s_per_job"].iloc[0]
            growth.append({"rule": rule, "from": small, "to": large, "cpu_s": f"{ca:.2f} -> {cb:.2f}",
                           "exponent": round(math.log(cb / ca) / math.log(large / small), 2),
                           "cpu_per_row_growth": round((cb / large) / (ca / small), 2)})
    print("\ngrowth of the CPU per job (exponent: 1 = with the pool; per-row growth <= 1.5 is the target)")
    print(pd.DataFrame(growth).to_string(index=False))
    print("\nper run")
    print(pd.DataFrame(runs).to_string(index=False))
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
