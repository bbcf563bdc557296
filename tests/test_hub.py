"""from_hub: fast, one-line failure when the Hub is unreachable; a cache hit still loads."""

from __future__ import annotations

import os

import pytest

from bucket_al import hub
from bucket_al.errors import HubUnreachableError


@pytest.fixture
def no_hub(monkeypatch):
    """A Hub endpoint nobody listens on, and no offline variables set yet."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    for var in hub.OFFLINE_VARS:
        monkeypatch.delenv(var, raising=False)


def test_unreachable_endpoint_is_detected(no_hub):
    assert hub.hub_reachable(timeout=1.0) is False


def test_offline_variable_counts_as_unreachable(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub.hub_reachable() is False


def test_unreachable_hub_switches_to_offline_and_names_the_key(no_hub):
    seen = {}

    def load():
        seen.update({var: os.environ.get(var) for var in hub.OFFLINE_VARS})
        raise OSError("not in the cache")

    with pytest.raises(HubUnreachableError) as exc:
        hub.from_hub(load, "encoder.model", "org/model")
    assert seen == {var: "1" for var in hub.OFFLINE_VARS}
    message = str(exc.value)
    assert message.startswith("encoder.model: cannot reach the Hugging Face Hub to load 'org/model'")
    assert "config/offline.yaml" in message and "\n" not in message


def test_cache_hit_loads_while_offline(no_hub):
    assert hub.from_hub(lambda: "cached", "dataset.name", "org/data") == "cached"


def test_errors_with_a_reachable_hub_are_not_relabelled(monkeypatch):
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)

    def load():
        raise ValueError("a real error")

    with pytest.raises(ValueError, match="a real error"):
        hub.from_hub(load, "dataset.name", "org/data")
