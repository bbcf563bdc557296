"""The reference that cannot go stale: docs/plugins.md is generated from the registries and
docs/config.md from the config schema (bucket_al.docs); every plug-in, preset and config key is in them."""

from __future__ import annotations

import pytest

from bucket_al.arms import PRESETS
from bucket_al.docs import CONFIG_OUT, OUT, SCHEMA, config_keys, render, render_config
from bucket_al.plugins import ALL


def test_docs_plugins_md_is_current():
    assert OUT.is_file() and OUT.read_text() == render(), "docs/plugins.md is stale: run python -m bucket_al.docs"


def test_docs_config_md_is_current_and_every_key_has_a_meaning():
    import yaml

    assert CONFIG_OUT.is_file() and CONFIG_OUT.read_text() == render_config(), \
        "docs/config.md is stale: run python -m bucket_al.docs"
    keys = dict(config_keys(yaml.safe_load(SCHEMA.read_text())["properties"]))
    assert {"experiment", "dataset.text_column", "bucket.kmeans_threads", "threads.train"} <= keys.keys()
    unexplained = [key for key, spec in keys.items() if not spec.get("description")]
    assert not unexplained, f"config keys without a description in the schema: {unexplained}"
    for key in keys:
        assert f"`{key}`" in CONFIG_OUT.read_text(), key


@pytest.mark.parametrize("kind, name", [(k, n) for k, r in ALL.items() for n in r.names])
def test_every_plug_in_has_its_section_and_a_summary(kind, name):
    text = render()
    assert f"### `{name}`\n\n" in text, (kind, name)
    after = text.split(f"### `{name}`\n\n", 1)[1]
    assert after.split("\n", 1)[0].strip(), f"{kind} '{name}' has no docstring"


def test_every_preset_is_in_the_arms_table():
    text = render()
    for name, arm in PRESETS.items():
        assert f"| `{name}` | `{arm.cold_start}` | `{arm.query}` |" in text, name


def doc_example(heading: str) -> str:
    """The first python block of docs/extending.md after the paragraph that starts with ``heading``."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "extending.md").read_text()
    return text.split(heading, 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


def module_of(source: str, package: str) -> dict:
    """The names a docs/extending.md example defines, run as a module of ``package`` (its relative imports work)."""
    namespace = {"__name__": f"{package}.doc_example", "__package__": package}
    exec(compile(source, "docs/extending.md", "exec"), namespace)  # noqa: S102 - the page's own code
    return namespace


def test_the_docs_query_strategy_runs_as_written():
    import numpy as np

    from bucket_al.strategies.base import QueryContext

    cls = module_of(doc_example("**Add a query strategy.**"), "bucket_al.strategies")["SampledUncertainty"]
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(2), size=50)
    ctx = QueryContext(row_id=np.arange(100, 150), proba=proba, uncertainty=1 - proba.max(axis=1),
                       labelled_row_id=np.arange(5), labelled_proba=np.full((5, 2), 0.5), seed=1, m=1, k=1,
                       params=cls.resolve({}, "docs"))
    picked = cls().query(ctx, 10)
    assert len(set(picked)) == 10 and set(picked) <= set(range(100, 150))
    assert picked.tolist() == cls().query(ctx, 10).tolist()


def test_the_docs_learner_fits_saves_and_reloads(tmp_path):
    import numpy as np

    cls = module_of(doc_example("**Add a learner (scikit-learn adapter).**"), "bucket_al.learners")["RidgeLearner"]
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 8)).astype(np.float32), np.repeat([0, 1], 20)
    X[y == 1] += 1.0
    learner = cls(2, ["a", "b"]).fit(X, y)
    learner.save(tmp_path / "model")
    again = cls.load(tmp_path / "model")
    np.testing.assert_array_equal(again.predict_proba(X), learner.predict_proba(X))
    assert (learner.predict_proba(X).argmax(axis=1) == y).mean() > 0.9
