"""Wall time per round from a finished run's Snakemake benchmark files.

    python benchmarks/round_timings.py results/sst2-finetune

The round rules (select a round's rows, train, evaluate and score one model) write
``<experiment>/benchmarks/.../round.tsv`` and the ceiling ``.../model.tsv`` (Snakemake's ``benchmark:``:
wall seconds, peak RSS, CPU seconds). This prints, per arm and round, the mean over seeds of the
round jobs' wall time and peak memory, and the ceiling's. Jobs that
ran side by side share the machine, so a job's wall time includes that sharing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd


def job_table(experiment: Path, steps=("round", "model")) -> pd.DataFrame:
    """One row per benchmarked job of ``steps`` (round: select, train, evaluate and score; model: the
    ceiling, a compared learner's model): its unit
    (``arm``: an arm, ``random``, ``cold_start/<name>`` or ``ceiling``), seed, round, wall and CPU
    seconds and peak RSS, read from ``<experiment>/benchmarks/<unit>/seed<s>[/round<r>]/<step>.tsv``."""
    job = re.compile(rf"(?P<arm>.+)/seed(?P<seed>\d+)(?:/round(?P<round>\d+))?/(?P<step>{'|'.join(steps)})\.tsv")
    rows = []
    for tsv in sorted((experiment / "benchmarks").rglob("*.tsv")):
        m = job.fullmatch(tsv.relative_to(experiment / "benchmarks").as_posix())
        if not m:
            continue
        bench = pd.read_csv(tsv, sep="\t").iloc[-1]
        rows.append({"arm": m["arm"], "seed": int(m["seed"]), "step": m["step"],
                     "round": int(m["round"]) if m["round"] else None,
                     "wall_s": float(bench["s"]), "cpu_s": float(bench["cpu_time"]), "max_rss_mb": float(bench["max_rss"])})
    jobs = pd.DataFrame(rows, columns=["arm", "seed", "step", "round", "wall_s", "cpu_s", "max_rss_mb"])
    jobs["round"] = jobs["round"].astype("Int64")
    return jobs


def main(experiment: str) -> None:
    jobs = job_table(Path(experiment))
    if jobs.empty:
        sys.exit(f"error: no benchmark files under {experiment}/benchmarks")
    per_round = (jobs[jobs["arm"] != "ceiling"]
                 .groupby(["arm", "step", "round"])
                 .agg(jobs=("wall_s", "size"), wall_s_mean=("wall_s", "mean"), cpu_s_mean=("cpu_s", "mean"),
                      max_rss_mb=("max_rss_mb", "max"))
                 .round(1))
    pd.set_option("display.width", 120)
    print(per_round.to_string())
    ceiling = jobs[jobs["arm"] == "ceiling"]
    for _, c in ceiling.iterrows():
        print(f"ceiling seed {c['seed']}: {c['wall_s']:.0f} s wall, {c['cpu_s']:.0f} s CPU, peak {c['max_rss_mb']:.0f} MB")
    print(f"sum of job wall times: {jobs['wall_s'].sum() / 60:.1f} min over {len(jobs)} round and model jobs (the ceiling's included)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/sst2-finetune")
