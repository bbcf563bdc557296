"""Wall time, CPU time and peak memory of a whole workflow run, in all and per rule.

    python benchmarks/bench_workflow.py                                  # offline SST-2 from an empty results folder
    python benchmarks/bench_workflow.py --cached results                 # ... with data and embeddings cached
    python benchmarks/bench_workflow.py --checkout ../old-clone --cached results   # another checkout, same way

Runs ``snakemake --cores N --configfile ... --config results=<fresh folder>`` in ``--checkout`` (default:
this repo), after copying ``datasets/`` and ``embeddings/`` of ``--cached`` into the fresh folder when
given (so nothing else is cached). Samples the resident memory of snakemake and its children every
0.2 s, and prints:

- in all: jobs, wall seconds, CPU seconds (user + system of snakemake and every job, from the kernel's
  accounting of the finished children), peak memory;
- per rule: jobs (from snakemake's log); wall seconds per job from the rules' benchmark files, and
  CPU seconds per job from the line each job's script logs when it ends (bucket_al.runtime: exact,
  from the kernel), or else from the benchmark files (which sample the job now and then, so they miss
  most of a job shorter than a second); ``-`` where a rule writes neither; the largest job's peak resident
  memory (max_rss of the benchmark files, MiB).

Compare two checkouts side by side in one sitting: the machine is noisy, so report ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

PAGE = os.sysconf("SC_PAGE_SIZE")
ROOT = Path(__file__).resolve().parents[1]


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


def jobs_per_rule(log: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for rule in re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", log):
        counts[rule] += 1
    return dict(counts)


def files_per_rule(log: str, directive: str) -> dict[str, list[str]]:
    """{rule: its jobs' ``directive`` file (benchmark, log)}, read from the job blocks of snakemake's log."""
    out: dict[str, list[str]] = defaultdict(list)
    for block in re.split(r"\n(?=(?:local)?(?:rule|checkpoint) \w+:)", log):
        m = re.match(r"(?:local)?(?:rule|checkpoint) (\w+):", block)
        found = re.search(rf"^\s+{directive}: (\S+)", block, flags=re.M)
        if m and found:
            out[m.group(1)].append(found.group(1).rstrip(","))
    return dict(out)


def logged_cpu(path: str) -> float | None:
    """The CPU seconds a job's script logged when it ended (bucket_al.runtime.run_step), if it did."""
    try:
        m = re.search(r" done: ([\d.]+) s CPU", Path(path).read_text())
    except OSError:
        return None
    return float(m.group(1)) if m else None


def run_workflow(cmd: list[str], cwd: Path, log_path: Path) -> dict:
    """Run one ``snakemake`` command, sampling the memory of its process tree; returns ``table`` (per rule:
    jobs, wall and CPU seconds per job, the largest job's peak RSS in MiB from its benchmark file), and the
    run's ``returncode``, ``wall``, ``cpu``, ``jobs``, ``peak_total`` and ``peak_single`` (bytes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        peak_total = peak_single = 0
        while proc.poll() is None:
            total, single = tree_rss(proc.pid)
            peak_total, peak_single = max(peak_total, total), max(peak_single, single)
            time.sleep(0.2)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = log_path.read_text()
    jobs = jobs_per_rule(text)
    benches, logs = files_per_rule(text, "benchmark"), files_per_rule(text, "log")

    rows = []
    for rule, n in sorted(jobs.items(), key=lambda kv: -kv[1]):
        frames = [pd.read_csv(p, sep="\t").iloc[-1] for p in benches.get(rule, []) if Path(p).is_file()]
        job_cpu = [c for c in map(logged_cpu, logs.get(rule, [])) if c is not None]
        source = "log"
        if not job_cpu and frames:
            job_cpu, source = [f["cpu_time"] for f in frames], "benchmark"
        rss = [f["max_rss"] for f in frames if pd.notna(f.get("max_rss")) and f["max_rss"] != "-"]
        rows.append({"rule": rule, "jobs": n,
                     "wall_s_per_job": sum(f["s"] for f in frames) / len(frames) if frames else None,
                     "cpu_s_per_job": sum(job_cpu) / len(job_cpu) if job_cpu else None,
                     "cpu_s_all_jobs": sum(job_cpu) * n / len(job_cpu) if job_cpu else None,
                     "max_rss_mib": max(map(float, rss)) if rss else None,
                     "cpu_from": source if job_cpu else "-"})
    return {"table": pd.DataFrame(rows), "returncode": proc.returncode, "wall": wall, "cpu": cpu,
            "jobs": sum(jobs.values()), "peak_total": peak_total, "peak_single": peak_single}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--configfile", nargs="+", default=["config/offline.yaml"])
    ap.add_argument("--checkout", type=Path, default=ROOT, help="the checkout to run (default: this one)")
    ap.add_argument("--cached", type=Path, help="a results folder whose datasets/ and embeddings/ to start from")
    ap.add_argument("--keep", action="store_true", help="keep the results folder and print its path")
    ap.add_argument("--snakemake", default=str(Path(sys.executable).with_name("snakemake")))
    args = ap.parse_args()

    results = Path(tempfile.mkdtemp(prefix="bench-results-", dir=args.checkout)).resolve()
    for cached in ("datasets", "embeddings") if args.cached else ():
        shutil.copytree(args.cached / cached, results / cached)
    cmd = [args.snakemake, "--cores", str(args.cores), "--configfile", *args.configfile,
           "--config", f"results={results}"]
    print("running in", args.checkout, ":", " ".join(cmd), flush=True)
    run = run_workflow(cmd, args.checkout, results / "snakemake.out")
    print(f"exit status: {run['returncode']}")
    print(run["table"].to_string(index=False, na_rep="-", float_format=lambda x: f"{x:.2f}"))
    wall = run["wall"]
    print(f"in all: {run['jobs']} jobs, {wall:.1f} s wall ({wall / 60:.2f} min) with --cores {args.cores}, "
          f"{run['cpu']:.1f} CPU s (snakemake and every job)")
    print(f"peak memory: {run['peak_total'] / 2**30:.2f} GiB all processes together, "
          f"{run['peak_single'] / 2**30:.2f} GiB the largest single process")
    if args.keep:
        print(f"results kept in {results}")
    else:
        shutil.rmtree(results)
    sys.exit(run["returncode"])


if __name__ == "__main__":
    main()
