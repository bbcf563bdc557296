"""Plug-ins and their registries.

A plug-in (a learner, a query strategy, a cold start, a stopping criterion) is one class. It
declares what it takes as ``params``: JSON-schema properties, each with its ``default`` and a
``description``. That declaration is the one source of the plug-in's defaults: the config schema
does not repeat them, :meth:`Plugin.resolve` fills them in and checks the values (a boolean is not
a number, ``max_iter: 1.5`` is not a count), and ``docs/plugins.md`` is generated from it.

A :class:`Registry` maps names to ``"module:Class"`` strings and imports a plug-in only when it is
asked for, so importing a registry imports no plug-in (and no torch). The registries themselves
live in :mod:`bucket_al.plugins`, one line per plug-in.
"""

from __future__ import annotations

import importlib
from abc import ABC
from functools import cached_property

from .errors import ConfigError, check_choice

NUMBER_TYPES = {"number": float, "integer": int}


class Plugin(ABC):
    """What every plug-in has: a ``name`` (its registry key) and its ``params`` (see the module)."""

    name: str = ""
    params: dict = {}

    @classmethod
    def defaults(cls) -> dict:
        """The declared defaults (a parameter declared without one is required: it is left out)."""
        return {key: spec["default"] for key, spec in cls.params.items() if "default" in spec}

    @classmethod
    def resolve(cls, given: dict | None, key: str) -> dict:
        """The defaults with ``given`` on top, checked against ``params``; ``key`` (the config entry,
        e.g. ``learner.linear``) names the parameter in a one-line error. Numbers written as strings
        are read as numbers: YAML 1.1 reads ``1e-4`` (no dot) as the string '1e-4'."""
        import jsonschema

        given = dict(given or {})
        unknown = sorted(set(given) - set(cls.params))
        if unknown:
            takes = ", ".join(sorted(cls.params)) or "none"
            raise ConfigError(f"{key}: unknown parameters {unknown} for '{cls.name}' (it takes {takes})")
        values = {**cls.defaults(), **{k: _number_from_text(cls.params[k], v) for k, v in given.items()}}
        missing = [k for k in cls.params if k not in values]
        if missing:
            raise ConfigError(f"{key}.{missing[0]}: '{cls.name}' needs it")
        schema = {"type": "object", "properties": cls.params}
        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(values))
        if error is not None:
            where = ".".join(map(str, error.absolute_path))
            raise ConfigError(f"{key}.{where}: {error.message}" if where else f"{key}: {error.message}")
        for k, v in values.items():  # 1.0 is a valid integer in JSON schema: make it an int
            if "integer" in _types(cls.params[k]) and isinstance(v, float):
                values[k] = int(v)
        return values


def _types(spec: dict) -> set:
    t = spec.get("type", [])
    return {t} if isinstance(t, str) else set(t)


def _number_from_text(spec: dict, value):
    if not isinstance(value, str) or not _types(spec) & NUMBER_TYPES.keys():
        return value
    try:
        number = float(value)
    except ValueError:
        return value  # the schema check names it
    return int(number) if number.is_integer() and "integer" in _types(spec) else number


class Registry:
    """Plug-ins of one kind by name, imported on first use.

    ``kind`` names the plug-in in errors ("learner"); ``entries`` maps each name to
    ``"package.module:Class"``."""

    def __init__(self, kind: str, entries: dict[str, str]):
        self.kind = kind
        self.entries = dict(entries)

    def __contains__(self, name) -> bool:
        return name in self.entries

    def __iter__(self):
        return iter(self.entries)

    @property
    def names(self) -> list[str]:
        return list(self.entries)

    def check(self, key: str, name) -> None:
        """A one-line error naming ``key`` unless ``name`` is registered."""
        check_choice(key, self.kind, name, self.entries)

    def module(self, name: str) -> str:
        """The dotted module a plug-in lives in (its code digest starts there)."""
        return self.entries[name].split(":", 1)[0]

    def get(self, name: str, key: str | None = None):
        """The plug-in class ``name`` (imported now), with its ``name`` set."""
        self.check(key or self.kind, name)
        return self._loaded[name] if name in self._loaded else self._load(name)

    @cached_property
    def _loaded(self) -> dict:
        return {}

    def _load(self, name: str):
        module, attr = self.entries[name].split(":", 1)
        cls = getattr(importlib.import_module(module), attr)
        if getattr(cls, "name", None) != name:
            raise TypeError(f"{self.entries[name]}: its name is '{getattr(cls, 'name', None)}', registered as '{name}'")
        self._loaded[name] = cls
        return cls
