"""The reference that cannot go stale: docs/plugins.md is generated from the registries
(bucket_al.docs), and every plug-in and preset is in it."""

from __future__ import annotations

import pytest

from bucket_al.arms import PRESETS
from bucket_al.docs import OUT, render
from bucket_al.plugins import ALL


def test_docs_plugins_md_is_current():
    assert OUT.is_file() and OUT.read_text() == render(), "docs/plugins.md is stale: run python -m bucket_al.docs"


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
