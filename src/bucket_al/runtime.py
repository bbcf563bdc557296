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


def job_object():
    """The ``snakemake`` object of the process Snakemake started for a rule's ``script:`` (its preamble
    defines it in ``__main__`` before the script's first line), else None."""
    smk = getattr(sys.modules.get("__main__"), "snakemake", None)
    return smk if smk is not None and in_snakemake_job(smk) else None


# The SciPy release whose import skip_scipy_docstring_notes was checked against (requirements/lock.txt).
SCIPY_DOCSTRING_NOTES = "1.17."


def skip_scipy_docstring_notes() -> None:
    """In a job's process, import SciPy without the notes it writes into its functions' docstrings.

    SciPy 1.17 decorates ~470 functions with ``xp_capabilities``, which parses each one's docstring
    (numpydoc's scraper) to append a table of the array backends it supports, at import. Every model job
    imports scikit-learn, which imports ``scipy.stats``: a linear round job's imports take 1.15 s with the
    notes and 0.94 s without (benchmarks/import_cost.py). A job never reads a docstring, and the
    decorator's other effect, a table of the same capabilities for SciPy's own test suite, is read by that
    suite alone; so here the decorator returns each function as it is. What SciPy computes is unchanged
    (``benchmarks/compare_results.py``: identical). Upstream knows the cost of import-time docstrings
    (scipy/scipy#22510) and skips them only under ``python -OO``, which also drops every ``assert``.

    Called by ``bucket_al/__init__.py`` in a job, before the script's first import reaches SciPy. Does
    nothing where SciPy is another release than the one checked, or ``scipy.stats`` is already imported."""
    if "scipy.stats" in sys.modules:
        return
    import scipy

    if not scipy.__version__.startswith(SCIPY_DOCSTRING_NOTES):
        return
    from scipy._lib import _array_api

    def xp_capabilities(**_capabilities):
        return lambda function: function

    _array_api.xp_capabilities = xp_capabilities


def end_job_process() -> None:
    """End a job's process after its step succeeded, without the interpreter's teardown.

    A job's outputs are complete by now: every file is written to a temporary name and renamed
    (bucket_al.io), so nothing of them waits in a buffer. What is left is Python's own clean-up of the
    scikit-learn, SciPy and pandas modules a job imports: 0.15-0.2 CPU-s a job, which a run of many
    small round and twin jobs pays again and again (benchmarks/bench_workflow.py), and which writes nothing.
    So: run the atexit handlers (logging's shutdown among them: it flushes and closes the rule's log;
    tempfile's, multiprocessing's, the libraries'), flush the streams, and leave with status 0. Where
    another Python thread is still alive, the process ends the ordinary way, which waits for it."""
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(0)
    atexit._run_exitfuncs()  # noqa: SLF001 - CPython's own exit path, which os._exit skips
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
