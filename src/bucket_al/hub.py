"""Loading from the Hugging Face Hub with a fast, clear failure when it cannot be reached."""

from __future__ import annotations

import logging
import os
import socket
from urllib.parse import urlparse

from .errors import OFFLINE_HINT, HubUnreachableError

log = logging.getLogger(__name__)

OFFLINE_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")


def hub_reachable(timeout: float = 3.0) -> bool:
    """True when the Hub endpoint accepts a TCP connection and offline mode is not already on."""
    if any(os.environ.get(var, "0") not in ("0", "", "false", "False") for var in OFFLINE_VARS):
        return False
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((url.hostname, url.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def from_hub(load, key: str, name: str):
    """Call ``load()`` (a ``load_dataset`` or ``from_pretrained``). When the Hub cannot be reached,
    the Hugging Face libraries are switched to offline mode first, so a local cache still serves
    and a miss fails at once (instead of after a minute of retries) with one line naming ``key``."""
    online = hub_reachable()
    if not online:
        log.info("the Hugging Face Hub is unreachable: loading %s from the local cache only", name)
        for var in OFFLINE_VARS:  # read when the HF libraries are imported, so before load() imports them
            os.environ[var] = "1"
    try:
        return load()
    except Exception as exc:
        if online:
            raise
        raise HubUnreachableError(f"{key}: cannot reach the Hugging Face Hub to load '{name}'; {OFFLINE_HINT}") from exc
