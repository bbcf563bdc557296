"""What each arm costs, from a finished run's Snakemake benchmark files.

    python benchmarks/arm_costs.py results/sst2-arms

The round rules (a round's selection and model in one job) write ``<experiment>/benchmarks/<unit>/seed<s>/round<r>/round.tsv``
and the ceiling ``<experiment>/benchmarks/ceiling/seed<s>/model.tsv``
(Snakemake's ``benchmark:``: wall seconds, CPU seconds, peak RSS). A unit is where a model lives
(README, Layout): an arm's own rounds >= 1, the random twin (``random``, whose round 0 is also the
random cold start), a shared cold start (``cold_start/<name>``) or the ceiling. This prints, per
unit, the CPU and wall seconds of its round jobs summed over seeds and rounds:
an arm's line is what adding that arm costs on top of the shared steps, which are listed apart.
Jobs that ran side by side share the machine, so CPU seconds are the better measure of cost.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from round_timings import job_table  # benchmarks/ is on sys.path when this script runs


def unit_costs(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per unit and step: jobs, CPU and wall seconds summed, peak RSS; and a total per unit."""
    per_step = jobs.pivot_table(index="unit", columns="step", values="cpu_s", aggfunc="sum", fill_value=0.0)
    per_step.columns = [f"{c}_cpu_s" for c in per_step.columns]
    total = jobs.groupby("unit").agg(jobs=("cpu_s", "size"), cpu_s=("cpu_s", "sum"), wall_s=("wall_s", "sum"),
                                     max_rss_mb=("max_rss_mb", "max"))
    shared = total.index.str.startswith("cold_start/") | total.index.isin(["random", "ceiling"])
    out = per_step.join(total).assign(shared=shared)
    return out.sort_values(["shared", "cpu_s"], ascending=[True, False]).round(1)


def main(experiment: str) -> None:
    jobs = job_table(Path(experiment), steps=("round", "model")).rename(columns={"arm": "unit"})
    if jobs.empty:
        sys.exit(f"error: no benchmark files under {experiment}/benchmarks")
    costs = unit_costs(jobs)
    pd.set_option("display.width", 160)
    print(costs.to_string())
    arms, shared = costs[~costs["shared"]], costs[costs["shared"]]
    print(f"\narms: {len(arms)}, {arms['cpu_s'].sum() / 60:.1f} CPU-min in their own jobs "
          f"(median {arms['cpu_s'].median():.0f} CPU-s per arm); shared units: {shared['cpu_s'].sum() / 60:.1f} CPU-min; "
          f"all benchmarked jobs: {len(jobs)}, {jobs['cpu_s'].sum() / 60:.1f} CPU-min, "
          f"{jobs['wall_s'].sum() / 60:.1f} min of summed wall")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/sst2-arms")
