"""Run the real workflow with Snakemake from tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_SST2 = ROOT.parent / "shared" / "data" / "sst2"
SLICE = ["config/offline.yaml", "tests/configs/slice.yaml"]


def snakemake(results: Path, *args: str, configs=SLICE, extra: dict | None = None, tmp: Path | None = None,
              env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """``snakemake --cores 2 --configfile <configs> [extra.yaml] --config results=<results> <args>``
    in the repo root; ``extra`` is written to a YAML file layered on top of the configs."""
    configs = list(configs)
    if extra is not None:
        path = (tmp or results.parent) / f"extra-{abs(hash(repr(extra)))}.yaml"
        path.write_text(yaml.safe_dump(extra))
        configs.append(str(path))
    exe = Path(sys.executable).with_name("snakemake")
    # args (targets, -n) first: --configfile and --config take every value that follows them
    cmd = [str(exe), *args, "--cores", "2", "--configfile", *configs, "--config", f"results={results}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def job_counts(dry_run_output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run as {rule: count} (without the 'total' row)."""
    if "Nothing to be done" in dry_run_output:
        return {}
    table = dry_run_output.split("Job stats:", 1)[1]
    counts = {}
    for line in table.splitlines()[3:]:
        m = re.match(r"^(\S+)\s+(\d+)$", line.strip())
        if not m:
            break
        counts[m.group(1)] = int(m.group(2))
    counts.pop("total", None)
    return counts


def scheduled_outputs(dry_run_output: str) -> list[str]:
    """Every output path a dry run would write."""
    outs = []
    for line in dry_run_output.splitlines():
        line = line.strip()
        if line.startswith("output:"):
            outs += [p.strip() for p in line[len("output:"):].split(",")]
    return outs
