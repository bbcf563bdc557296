"""Time and peak memory of a whole workflow run from an empty results folder.

    python benchmarks/bench_workflow.py                       # the full offline SST-2 experiment
    python benchmarks/bench_workflow.py --cores 2 --configfile config/offline.yaml tests/configs/slice.yaml

Runs ``snakemake --cores N --configfile ... --config results=<fresh temp dir>`` so nothing is
cached, samples the resident memory of snakemake and all its child processes every 0.2 s, and
prints wall time, peak memory of the whole process tree, and the largest single process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> tuple[int, int]:
    """(sum of RSS over ``root`` and its descendants, largest single RSS), in bytes."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            statm = Path(f"/proc/{entry.name}/statm").read_text().split()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        pid = int(entry.name)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(statm[1]) * PAGE
    total, largest, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return total, largest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--configfile", nargs="+", default=["config/offline.yaml"])
    ap.add_argument("--keep", action="store_true", help="keep the results folder and print its path")
    args = ap.parse_args()

    results = os.path.relpath(tempfile.mkdtemp(prefix="bench-results-", dir="."))
    cmd = ["snakemake", "--cores", str(args.cores), "--configfile", *args.configfile,
           "--config", f"results={results}", "--quiet", "rules"]
    print("running:", " ".join(cmd), flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak_total = peak_single = 0
    while proc.poll() is None:
        total, single = tree_rss(proc.pid)
        peak_total, peak_single = max(peak_total, total), max(peak_single, single)
        time.sleep(0.2)
    wall = time.perf_counter() - start
    print(f"exit status: {proc.returncode}")
    print(f"wall time: {wall:.1f} s ({wall / 60:.2f} min) with --cores {args.cores}")
    print(f"peak memory, all processes together: {peak_total / 2**30:.2f} GiB")
    print(f"peak memory, largest single process: {peak_single / 2**30:.2f} GiB")
    if args.keep:
        print(f"results kept in {results}")
    else:
        subprocess.run(["rm", "-rf", results], check=True)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
