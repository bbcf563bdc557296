"""Process-level plumbing shared by the workflow scripts: threads, logging, one-line errors."""

from __future__ import annotations

import logging
import os
import sys

from .errors import BucketALError

log = logging.getLogger("bucket_al")


def set_threads(threads: int) -> None:
    """Limit torch and BLAS/OpenMP pools to ``threads`` (the rule's ``threads``). torch is not
    imported here (steps that never use it should not pay for it): if it is imported later, it
    sizes its pool from OMP_NUM_THREADS, which is set here."""
    threads = max(int(threads), 1)
    from threadpoolctl import threadpool_limits

    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    threadpool_limits(threads)
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(threads)


def setup_logging(logfile=None) -> None:
    """Log INFO to the rule's log file; only warnings and errors reach the terminal."""
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    handlers = [console]
    if logfile:
        handlers.append(logging.FileHandler(logfile, mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        handlers=handlers,
        force=True,
    )


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children so far."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_step(step, smk) -> None:
    """Run ``step(smk)`` for a Snakemake ``script:``: log to the rule's log file, set threads,
    and turn our own errors into one ``error: ...`` line and exit status 1. Any other exception is
    logged with its traceback (to the terminal and the rule's log, so a cluster job's error shows in
    snakemake's output with --show-failed-logs) and also exits with status 1."""
    setup_logging(smk.log[0] if len(smk.log) else None)
    set_threads(smk.threads)
    try:
        step(smk)
        log.info("%s done: %.2f s CPU (this process and its children, from the kernel)", getattr(smk, "rule", "step"),
                 cpu_seconds())
    except BucketALError as exc:
        log.error("%s", exc)
        sys.exit(f"error: {exc}")
    except Exception:
        log.exception("%s failed", getattr(smk, "rule", "step"))
        sys.exit(1)
    if in_snakemake_job(smk):
        end_job_process()


def in_snakemake_job(smk) -> bool:
    """True in the process Snakemake started for a rule's ``script:`` (its ``snakemake`` object is
    Snakemake's own, not a test's stand-in run in the test's process)."""
    kind = type(smk)
    return kind.__name__ == "Snakemake" and kind.__module__.partition(".")[0] == "snakemake"


def end_job_process() -> None:
    """End a job's process after its step succeeded, without the interpreter's teardown.

    A job's outputs are complete by now: every file is written to a temporary name and renamed
    (bucket_al.io), so nothing of them waits in a buffer. What is left is Python's own clean-up of the
    scikit-learn, SciPy and pandas modules a job imports: 0.15-0.2 CPU-s a job, which a run of many
    small round and twin jobs pays again and again (benchmarks/bench_workflow.py), and which writes nothing.
    So: run the atexit handlers (logging's shutdown among them: it flushes and closes the rule's log;
    tempfile's, multiprocessing's, the libraries'), flush the streams, and leave with status 0. Where another Python thread is still alive, the process ends
    the ordinary way, which waits for it."""
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(0)
    atexit._run_exitfuncs()  # noqa: SLF001 - CPython's own exit path, which os._exit skips
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
