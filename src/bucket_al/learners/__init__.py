"""Step 6: learners (bucket_al.learners.base: the interface and what a learner declares).

One module per learner, registered in :data:`bucket_al.plugins.LEARNERS` (docs/plugins.md lists them).
Nothing here imports a learner's module until it is asked for.
"""

from __future__ import annotations

from ..io import read_meta
from ..plugins import LEARNERS


def learner_class(name: str, key: str = "learner.name"):
    """The learner class registered as ``name`` (a one-line error naming ``key`` if none is)."""
    return LEARNERS.get(name, key)


def make_learner(name: str, label_names: list[str], params: dict | None = None, seed: int = 0, **options):
    """A fresh learner for these classes (ids 0..len(label_names)-1); ``params`` are the config's
    ``learner.<name>`` section, checked against the learner's declared ``params``."""
    return learner_class(name)(len(label_names), label_names=list(label_names), seed=seed, **options, **(params or {}))


def load_learner(path, **options):
    """Reload any learner's checkpoint directory (the learner's name is in its learner.json)."""
    return learner_class(read_meta(path)["learner"]).load(path, **options)
