"""Snakemake's conventions: the linter and snakefmt find nothing, every rule has a log and a conda
env from envs/, the env files pin the versions of requirements/lock.txt (the tested environment)
inside pyproject.toml's ranges, and the install commands use the lock (conda is not available here,
so the envs are checked against the lock, not built)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

from workflow_helpers import ROOT, SLICE

BIN = Path(sys.executable).parent
ENVS = sorted((ROOT / "envs").glob("*.yaml"))


def test_snakemake_lint_reports_nothing(tmp_path):
    proc = subprocess.run([str(BIN / "snakemake"), "--lint", "--configfile", *SLICE, "--config", f"results={tmp_path}"],
                          cwd=ROOT, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Lints for" not in out and "Congratulations, your workflow is in a good condition!" in out, out


def test_snakefmt_check_passes():
    proc = subprocess.run([str(BIN / "snakefmt"), "--check", "Snakefile", "rules/"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


RULE = re.compile(r"(?:rule|checkpoint) (\w+):|use rule (\w+) as (\w+) with:")


def rule_blocks() -> dict[str, str]:
    """{rule name: the text of its block} for every rule and checkpoint in the Snakefile and rules/
    (a ``use rule A as B with:`` block: B's own lines)."""
    blocks = {}
    for path in [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]:
        for block in re.split(r"^(?=(?:rule|checkpoint) \w+:|use rule \w+ as \w+ with:)", path.read_text(), flags=re.M)[1:]:
            m = RULE.match(block)
            name = m.group(1) or m.group(3)
            assert name not in blocks, f"rule {name} defined twice"
            blocks[name] = block
    return blocks


def parent_rules() -> dict[str, str]:
    """{rule B: rule A} for every ``use rule A as B with:``."""
    return {m.group(3): m.group(2) for block in rule_blocks().values() if (m := RULE.match(block)) and m.group(2)}


def rules_with(directive: str) -> dict[str, str | None]:
    """{rule name: the first value of `directive` in its block (on the directive's line or the next),
    or None} for every rule in rules/ and the Snakefile; a ``use rule`` inherits what it leaves out."""
    found = {}
    for name, block in rule_blocks().items():
        m = re.search(rf"^    {directive}:[ \t]*(?:\n\s+)?(\S.*)$", block, flags=re.M)
        found[name] = m.group(1).strip() if m else None
    for name, parent in parent_rules().items():
        found[name] = found[name] or found[parent]
    return found


def snakemake_rules(tmp_path_factory) -> set[str]:
    """The rule names `snakemake --list-rules` prints in the experiment mode and in the labelling mode, and
    with the embedding in shards or from the user's own vectors (config/config.yaml: nothing is read but
    the vectors files' headers)."""
    import numpy as np

    tmp = tmp_path_factory.mktemp("vectors")
    for split in ("train", "validation"):
        np.save(tmp / f"{split}.npy", np.zeros((3, 64), dtype=np.float32))
    layers = {"experiment": {"mode": "experiment"}, "label": {"mode": "label"}, "shards": {"encoder": {"shards": 2}},
              "own": {"encoder": {"vectors": {s: str(tmp / f"{s}.npy") for s in ("train", "validation")}}}}
    names = set()
    for name, layer in layers.items():
        (tmp / f"{name}.yaml").write_text(yaml.safe_dump(layer))
        proc = subprocess.run([str(BIN / "snakemake"), "--list-rules", "--configfile", "config/config.yaml",
                               str(tmp / f"{name}.yaml"), "--config", "results=/nonexistent"],
                              cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        names |= {line.split()[0] for line in proc.stdout.splitlines() if line and not line[0].isspace()}
    return names


def test_rule_parser_sees_every_rule(tmp_path_factory):
    blocks, listed = rule_blocks(), snakemake_rules(tmp_path_factory)
    assert len(blocks) >= 10 and set(blocks) == listed, sorted(set(blocks) ^ listed)


def test_every_rule_has_a_log_and_an_env_from_envs():
    logs, envs = rules_with("log"), rules_with("conda")
    commands = {r for r, s in rules_with("script").items() if s} | {r for r, s in rules_with("shell").items() if s}
    # every rule but the target `all` runs a script or a shell command, writes a log and has an env
    jobs = set(rule_blocks()) - {"all"}
    assert commands == jobs, f"rules without a script: or shell: {sorted(jobs - commands)}"
    for rule in sorted(jobs):
        assert logs[rule], f"rule {rule} has no log:"
        env = envs[rule]
        assert env and re.fullmatch(r'"\.\./envs/\w+\.yaml"', env), f"rule {rule}: conda: {env}"
        assert (ROOT / "envs" / env.strip('"').removeprefix("../envs/")).is_file(), env
    used = {envs[r].strip('"').removeprefix("../envs/") for r in jobs}
    assert used == {p.name for p in ENVS}, "an env file no rule uses, or a rule env that is missing"


def pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra]
    by_name = {}
    for r in reqs:
        name = r.name.lower().replace("_", "-")
        assert name not in by_name or str(by_name[name].specifier) == str(r.specifier), f"{name} pinned twice"
        by_name[name] = r
    return by_name


def env_requirements(path: Path) -> list[Requirement]:
    deps = yaml.safe_load(path.read_text())["dependencies"]
    pip = [d for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip) == 1, f"{path.name}: expected one pip: list"
    conda = [d for d in deps if isinstance(d, str)]
    assert {d.split("=")[0] for d in conda} <= {"python", "pip"}, f"{path.name}: conda packages {conda}"
    return [Requirement(r) for r in pip[0]["pip"]]


LOCK = ROOT / "requirements" / "lock.txt"


def lock_versions() -> dict[str, str]:
    """{package: version} of requirements/lock.txt (the tested environment; torch==2.13.0 is named
    by the install commands themselves)."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins | {"torch": "2.13.0"}


def test_env_files_pin_the_lock_inside_pyproject_ranges():
    pinned, lock = pyproject_requirements(), lock_versions()
    assert len(ENVS) >= 4
    covered = set()
    for path in ENVS:
        for req in env_requirements(path):
            name = req.name.lower().replace("_", "-")
            assert name in pinned, f"{path.name}: {name} is not a pyproject requirement"
            assert str(req.specifier) == f"=={lock[name]}", f"{path.name}: {req} but requirements/lock.txt has {lock[name]}"
            assert pinned[name].specifier.contains(lock[name]), f"lock {name}=={lock[name]} outside pyproject's {pinned[name]}"
            covered.add(name)
    # every runtime dependency of the package is in some env, except snakemake itself, which runs
    # the workflow from outside the rule envs
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {Requirement(r).name.lower() for r in project["dependencies"]} - {"snakemake"}
    assert runtime <= covered, runtime - covered


def test_every_requirement_is_locked_and_the_install_commands_use_the_lock():
    lock = lock_versions()
    for name, req in pyproject_requirements().items():
        assert name in lock, f"{name} is in pyproject.toml but not in requirements/lock.txt"
        assert req.specifier.contains(lock[name]), f"lock {name}=={lock[name]} outside pyproject's {req}"
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    installs = [line for text in (readme, ci) for line in text.splitlines() if "pip install" in line and "-e '." in line]
    assert installs and all("-c requirements/lock.txt" in line for line in installs), installs
