"""Run the real workflow with Snakemake from tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from base64 import urlsafe_b64decode
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_SST2 = ROOT.parent / "shared" / "data" / "sst2"
SLICE = ["config/offline.yaml", "tests/configs/slice.yaml"]
ROUND_RULES = ("cold_start", "round", "round_last", "twin", "twin_scored")  # a round's job: select and train


def layered_config(paths=("config/config.yaml", *SLICE)) -> dict:
    """The config a run of these layers sees: merged as ``--configfile a b`` merges them (one level of
    nesting), the schema's defaults filled in as the workflow's ``validate`` fills them."""
    from snakemake.utils import validate

    cfg = {}
    for path in paths:
        for key, value in yaml.safe_load((ROOT / path).read_text()).items():
            cfg[key] = {**cfg.get(key, {}), **value} if isinstance(value, dict) else value
    validate(cfg, str(ROOT / "workflow/schemas/config.schema.yaml"))
    return cfg


def extra_config_file(extra: dict, folder: Path) -> Path:
    """``extra`` as a YAML file in ``folder``, to layer on top of the configs (named by its content)."""
    path = folder / f"extra-{abs(hash(repr(extra)))}.yaml"
    path.write_text(yaml.safe_dump(extra))
    return path


def snakemake_cmd(results: Path, *args: str, configs=SLICE, extra: dict | None = None,
                  tmp: Path | None = None, lock: bool = False) -> list[str]:
    """``snakemake <args> --cores 2 --nolock --configfile <configs> [extra.yaml] --config results=<results>``;
    ``extra`` is written to a YAML file layered on top of the configs.

    ``--nolock`` unless ``lock``: every test runs in the repo root, so all share its ``.snakemake/locks``,
    and Snakemake (9.27) removes that whole folder when a locking run ends, under another run that has
    created it and not yet written its lock (FileNotFoundError: .snakemake/locks/0.input.lock), or whose
    lock a test expects to find. With the tests on two workers such runs overlap. A test's results folder is
    its own, so a lock guards nothing there; tests/test_resume.py, which tests the lock, takes it."""
    configs = list(configs)
    if extra is not None:
        configs.append(str(extra_config_file(extra, tmp or results.parent)))
    exe = Path(sys.executable).with_name("snakemake")
    # args (targets, -n) first: --configfile and --config take every value that follows them
    return [str(exe), *args, "--cores", "2", *([] if lock else ["--nolock"]), "--configfile", *configs,
            "--config", f"results={results}"]


def snakemake(results: Path, *args: str, configs=SLICE, extra: dict | None = None, tmp: Path | None = None,
              env: dict | None = None, check: bool = True, cwd: Path = ROOT,
              lock: bool = False) -> subprocess.CompletedProcess:
    """Run :func:`snakemake_cmd` in the repo root (or another checkout, ``cwd``) and return the
    finished process."""
    cmd = snakemake_cmd(results, *args, configs=configs, extra=extra, tmp=tmp, lock=lock)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def parse_error(results: Path, configs=SLICE, extra: dict | None = None, tmp: Path | None = None) -> str | None:
    """What parsing the workflow and building its DAG says, in this process (Snakemake's API, as
    ``snakemake -n`` does before it plans a job, in a tenth of the time of a new process): the error's
    text, or None when the config parses. ``configs`` and ``extra`` as :func:`snakemake_cmd`."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

    # config/config.yaml: loaded by the Snakefile's configfile directive, as on the command line
    configs = [ROOT / c for c in configs]
    if extra is not None:
        configs.append(extra_config_file(extra, tmp or results.parent))
    env, path, cwd = dict(os.environ), list(sys.path), os.getcwd()
    try:  # the Snakefile puts src/ on sys.path and PYTHONPATH; the API changes into the workdir
        with SnakemakeApi(OutputSettings()) as api:
            api.workflow(resource_settings=ResourceSettings(cores=2),
                         config_settings=ConfigSettings(configfiles=configs, config={"results": str(results)}),
                         snakefile=ROOT / "Snakefile", workdir=ROOT).dag()
    except Exception as exc:  # noqa: BLE001 - the error is what the caller asserts
        return f"{type(exc).__name__}: {exc}"
    finally:
        os.environ.clear()
        os.environ.update(env)
        sys.path[:] = path
        os.chdir(cwd)
    return None


def model_dirs(cfg: dict) -> list[str]:
    """The model folders (relative to the experiment) a config plans: each arm's rounds >= 1, each
    cold start's round 0 (shared; the random cold start is the twin's round 0), the twin's rounds."""
    from bucket_al.arms import parse_arms

    arms = parse_arms(cfg["selection"]["arms"])
    seeds, rounds = cfg["seeds"], range(cfg["selection"]["rounds"])
    dirs = [f"{a.name}/seed{s}/round{r}" for a in arms for s in seeds for r in rounds if r > 0]
    dirs += [f"random/seed{s}/round{r}" for s in seeds for r in rounds]
    dirs += [f"cold_start/{c}/seed{s}/round0" for c in sorted({a.cold_start for a in arms} - {"random"}) for s in seeds]
    return dirs


def checkout_copy(dest: Path, results: Path) -> Path:
    """A temporary checkout (``dest``, with ../shared linked beside it): a copy of the workflow
    (Snakefile, rules, scripts, the package, configs) with the .snakemake/metadata records of the outputs
    under ``results``, so dry runs there see what a run in the repo recorded (the params each output was
    made with). Only those records: the repo's metadata holds every test run's, and snakemake writes a
    record in place, so a run going on beside this one may be writing one of its own."""
    ignore = shutil.ignore_patterns(".git", ".venv", ".ls-venv", "results", ".snakemake", "*.egg-info", "__pycache__",
                                    ".pytest_cache", "report.html")
    shutil.copytree(ROOT, dest, ignore=ignore)
    metadata = ROOT / ".snakemake" / "metadata"
    for record in metadata.rglob("*"):
        # a record's path: the urlsafe base64 of its output's path, split into folders named "@<part>"
        # where it is longer than a file name may be (snakemake.persistence.file)
        encoded = "".join(part.removeprefix("@") for part in record.relative_to(metadata).parts)
        if record.is_file() and urlsafe_b64decode(encoded).decode().startswith(f"{results}/"):
            copy = dest / ".snakemake" / "metadata" / record.relative_to(metadata)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(record, copy)
    shared = dest.parent / "shared"  # configs name ../shared/data/... relative to the checkout
    if not shared.exists():
        shared.symlink_to(ROOT.parent / "shared")
    return dest


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


def planned_jobs(dry_run_output: str) -> list[dict[str, str | list[str]]]:
    """Every job a dry run plans, in its order, as {"rule": name, "output": [...], "log": [...],
    "benchmark": [...]} (an empty list where the job has none of them)."""
    jobs = []
    for line in dry_run_output.splitlines():
        line = line.strip()
        m = re.fullmatch(r"(?:local)?(?:rule|checkpoint) (\w+):", line)
        if m:
            jobs.append({"rule": m.group(1), "output": [], "log": [], "benchmark": []})
            continue
        key, _, value = line.partition(": ")
        if jobs and key in ("output", "log", "benchmark"):
            jobs[-1][key] = [p.strip() for p in value.split(",")]
    return jobs


def files_redone(dry_run_output: str, results: Path, existing) -> dict[str, set[str]]:
    """The planned jobs that would rewrite some of the ``existing`` files (paths relative to
    ``results``), as {rule and outputs of the job: those files}. A job rewrites its outputs (a file,
    or a directory and every file in it) and its benchmark files."""
    redone = {}
    for job in planned_jobs(dry_run_output):
        written = [os.path.relpath(p, results) for p in job["output"] + job["benchmark"]]
        files = {rel for rel in existing if any(rel == p or rel.startswith(p + "/") for p in written)}
        if files:
            redone[f"{job['rule']}: {', '.join(written[:len(job['output'])])}"] = files
    return redone


def result_files(results: Path) -> dict[str, Path]:
    """Every output under ``results`` (logs and temporary files left out), by relative path."""
    return {
        str(p.relative_to(results)): p
        for p in sorted(results.rglob("*"))
        if p.is_file() and "logs" not in p.relative_to(results).parts and not p.name.endswith(".tmp")
        and not p.name.startswith("extra-")
    }


def assert_same_results(a: Path, b: Path) -> int:
    """Two runs of the same config agree: the same output files, byte-identical manifests, labels
    and entropy tables, equal metrics (as parsed JSON) and summary tables. Returns the number of
    files compared."""
    import json

    import numpy as np
    import pandas as pd

    from bucket_al.io import read_vectors

    fa, fb = result_files(a), result_files(b)
    assert sorted(fa) == sorted(fb), sorted(set(fa) ^ set(fb))
    for rel, path in fa.items():
        name = Path(rel).name
        if name in ("manifest.parquet", "scores.parquet", "labels.json", "pool.parquet", "eval.parquet"):
            if "/embeddings/" in f"/{rel}":
                continue  # float vectors: compared below with a tolerance
            assert path.read_bytes() == fb[rel].read_bytes(), rel
        elif name.endswith(".json"):
            assert json.loads(path.read_text()) == json.loads(fb[rel].read_text()), rel
        elif name.endswith(".txt"):
            assert path.read_text() == fb[rel].read_text(), rel
        elif name.endswith(".csv"):
            pd.testing.assert_frame_equal(pd.read_csv(path), pd.read_csv(fb[rel]))
    for rel in (r for r in fa if r.startswith("embeddings/") and r.endswith((".parquet", ".arrow"))):
        (ia, va), (ib, vb) = read_vectors(fa[rel]), read_vectors(fb[rel])
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_allclose(va, vb, rtol=1e-5, atol=1e-6)
    return len(fa)
