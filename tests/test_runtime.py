"""bucket_al.runtime: a job's process. After its step succeeded, a job started by Snakemake leaves
without the interpreter's teardown (end_job_process), having run the atexit handlers and flushed its
streams; anywhere else (a test's stand-in, a thread still alive) it ends the ordinary way. In a job,
SciPy is imported without the notes it writes into its docstrings (skip_scipy_docstring_notes), and
computes the same numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace

from workflow_helpers import ROOT

from bucket_al.runtime import in_snakemake_job

SRC = str(ROOT / "src")


def run_python(code: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=tmp_path, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}, timeout=120)


# The object's __del__ runs in the interpreter's teardown: it marks whether the process had one.
TEARDOWN_MARK = """
    import atexit, sys
    class Mark:
        def __del__(self, open=open):  # builtins may be gone by the time it runs
            with open("teardown", "w") as f:
                f.write("ran")
    mark = Mark()
    atexit.register(lambda: open("atexit", "w").write("ran"))
    print("buffered line", end="")
    sys.stderr.write("buffered error")
"""


def test_end_job_process_runs_atexit_flushes_and_skips_the_teardown(tmp_path):
    proc = run_python(TEARDOWN_MARK + """
    from bucket_al.runtime import end_job_process
    end_job_process()
    raise SystemExit("not reached")
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "buffered line" and proc.stderr == "buffered error"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert not (tmp_path / "teardown").exists()


def test_the_mark_sees_an_ordinary_teardown(tmp_path):
    """The check above can fail: without end_job_process the same process has a teardown."""
    proc = run_python(TEARDOWN_MARK, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "teardown").read_text() == "ran" and (tmp_path / "atexit").read_text() == "ran"


def test_a_thread_still_alive_is_waited_for(tmp_path):
    proc = run_python("""
    import threading, time
    from bucket_al.runtime import end_job_process
    def late():
        time.sleep(0.3)
        open("late", "w").write("written")
    threading.Thread(target=late).start()
    end_job_process()
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "late").read_text() == "written"


def test_a_snakemake_script_job_is_recognised_and_a_stand_in_is_not(tmp_path):
    (tmp_path / "job.py").write_text(textwrap.dedent("""
        import json
        from pathlib import Path
        from bucket_al.runtime import in_snakemake_job, run_step

        def main(smk):
            import scipy.stats
            Path(smk.output[0]).write_text(json.dumps({
                "job": in_snakemake_job(smk), "note": NOTE in scipy.stats.ttest_ind.__doc__, "numbers": NUMBERS()}))

        NOTE = %r
        %s
        run_step(main, snakemake)  # noqa: F821
    """) % (NOTE, textwrap.dedent(NUMBERS_SOURCE)))
    (tmp_path / "Snakefile").write_text(textwrap.dedent("""
        rule job:
            output: "seen.txt"
            log: "job.log"
            script: "job.py"
    """))
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--quiet"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": SRC}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads((tmp_path / "seen.txt").read_text())
    assert seen["job"] is True
    assert "job done:" in (tmp_path / "job.log").read_text()
    assert not in_snakemake_job(SimpleNamespace(output=["x"], log=[], threads=1))
    # in the job SciPy was imported without its docstring notes, and computed the same numbers as here
    assert seen["note"] is False
    assert seen["numbers"] == numbers_in_a_plain_process(tmp_path)


NOTE = "Array API Standard Support"  # what xp_capabilities appends to a SciPy function's docstring
# SciPy and scikit-learn at work, through the functions a job calls (a t-test of the aggregates, a
# logistic regression's L-BFGS, k-means): their results as exact strings.
NUMBERS_SOURCE = """
    def NUMBERS():
        import numpy as np
        import scipy.stats
        from sklearn.cluster import KMeans
        from sklearn.linear_model import LogisticRegression
        X = np.random.default_rng(0).normal(size=(200, 5))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        coef = LogisticRegression(max_iter=200).fit(X, y).coef_
        centers = KMeans(n_clusters=3, n_init=2, random_state=0).fit(X).cluster_centers_
        return [repr(float(scipy.stats.ttest_rel(X[:, 0], X[:, 1]).pvalue)), coef.tobytes().hex(),
                centers.tobytes().hex()]
"""


def numbers_in_a_plain_process(tmp_path):
    proc = run_python(NUMBERS_SOURCE + """
    import json, bucket_al, scipy.stats
    assert %r in scipy.stats.ttest_ind.__doc__  # outside a job, SciPy's docstrings are as it writes them
    print(json.dumps(NUMBERS()))
    """ % NOTE, tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_skipping_scipys_docstring_notes_stands_down_for_another_release_or_a_late_call(tmp_path):
    probe = """
    import scipy, sys
    from bucket_al.runtime import skip_scipy_docstring_notes
    {before}
    skip_scipy_docstring_notes()
    import scipy.stats
    print(%r in scipy.stats.ttest_ind.__doc__)
    """ % NOTE
    outcomes = {}
    for case, before in {"checked release": "", "another release": "scipy.__version__ = '9.0.0'",
                         "scipy.stats imported first": "import scipy.stats"}.items():
        proc = run_python(probe.format(before=before), tmp_path)
        assert proc.returncode == 0, proc.stderr
        outcomes[case] = proc.stdout.strip()
    assert outcomes == {"checked release": "False", "another release": "True", "scipy.stats imported first": "True"}
