"""Which package code a workflow step runs, as a digest the rules pass in ``params:``.

Snakemake's ``code`` rerun trigger sees a rule's own script (``workflow/scripts/<step>.py``), never
the ``bucket_al`` modules that script calls, so an edit of, say, ``select.py`` would leave every
selection cached and the round table would report the old method. :func:`code_digest` follows the
script's imports of ``bucket_al`` (transitively, including imports inside functions) and hashes
the source of every module it reaches; the rules pass it as ``params: code=...``, and the
``params`` trigger re-runs exactly the steps whose code changed (an edit of a comment counts).

Plug-ins are imported by name (bucket_al.plugins), which no import statement shows: a step names the
plug-ins it runs (an arm's query strategy, the learner), and the digest covers each one's registry
line and the modules it runs. The registry file itself is left out, so adding a plug-in re-runs
nothing, and editing one re-runs only the steps that run it.
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = "bucket_al"
REGISTRY = "bucket_al.plugins"  # data only: each step's digest covers the lines of its own plug-ins


@lru_cache(maxsize=None)
def _imported_modules(source: str, module: str | None) -> frozenset[str]:
    """``bucket_al`` modules imported anywhere in ``source`` (``module``: its own dotted name, for
    relative imports; None for a script). Cached by the source text itself: a workflow's rules ask for
    the digests of ~20 steps that share most modules; parsing each module again for every step made
    Snakemake's start-up on the default config 1.7 s instead of 1.5 s."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .x import y / from . import x
                if module is None:
                    continue
                base = module.rsplit(".", node.level)[0]
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}  # from pkg import module
    return frozenset(found)


def _module_file(package_dir: Path, name: str) -> Path | None:
    parts = name.split(".")[1:]
    path = package_dir.joinpath(*parts)
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None  # a name imported from a module (a function), not a module itself


def _parents(name: str) -> set[str]:
    """The packages above a module: importing it runs each one's ``__init__``."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def package_modules(script: Path, package_dir: Path, plugin_modules=()) -> dict[str, Path]:
    """Every ``bucket_al`` module ``script`` runs, by dotted name (each package's ``__init__`` too,
    since importing any submodule runs it), with ``plugin_modules`` (dotted names) and what they
    import; never the registry file (see the module's docstring)."""
    seen: dict[str, Path] = {}
    todo = set(_imported_modules(Path(script).read_text(), None)) | set(plugin_modules)
    while todo:
        name = todo.pop()
        if name in seen or name == REGISTRY:
            continue
        path = _module_file(package_dir, name)
        if path is None:
            continue
        seen[name] = path
        own = name if path.name != "__init__.py" else f"{name}.__init__"
        todo |= (_imported_modules(path.read_text(), own) | _parents(name)) - set(seen)
    return dict(sorted(seen.items()))


def code_digest(script: Path, package_dir: Path, plugins=()) -> str:
    """A short digest of the source of every ``bucket_al`` module ``script`` runs; ``plugins``:
    ``(registry, name)`` pairs (a bucket_al.registry.Registry and a name in it) of the plug-ins the
    step runs."""
    plugins = sorted({(r.kind, name, r.entries[name]) for r, name in plugins})
    h = hashlib.sha256()
    for kind, name, entry in plugins:
        h.update(f"{kind}\0{name}\0{entry}\0".encode())
    modules = [entry.split(":", 1)[0] for _, _, entry in plugins]
    for name, path in package_modules(script, package_dir, modules).items():
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]
