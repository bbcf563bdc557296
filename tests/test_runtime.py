"""bucket_al.runtime: how a job's process ends. After its step succeeded, a job started by Snakemake
leaves without the interpreter's teardown (end_job_process), having run the atexit handlers and flushed
its streams; anywhere else (a test's stand-in, a thread still alive) it ends the ordinary way."""

from __future__ import annotations

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
        from pathlib import Path
        from bucket_al.runtime import in_snakemake_job, run_step

        def main(smk):
            Path(smk.output[0]).write_text(str(in_snakemake_job(smk)))

        run_step(main, snakemake)  # noqa: F821
    """))
    (tmp_path / "Snakefile").write_text(textwrap.dedent("""
        rule job:
            output: "seen.txt"
            log: "job.log"
            script: "job.py"
    """))
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--quiet"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": SRC}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "seen.txt").read_text() == "True"
    assert "job done:" in (tmp_path / "job.log").read_text()
    assert not in_snakemake_job(SimpleNamespace(output=["x"], log=[], threads=1))
