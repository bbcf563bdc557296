"""Checks and names derived from the config, used by ``rules/common.smk`` when the workflow is
parsed: every check here is cheap and runs before any job starts."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from .data import check_splits, local_split_path, read_local, unreadable
from .embed import embedding_key, position_limit, resolve_encoder  # noqa: F401 (embedding_key: for the rules)
from .errors import ConfigError, DataError, check_choice
from .learners import learner_class
from .plugins import LEARNERS
from .reduce import METHODS
from .select import check_budget
from .stopping import parse_criteria, parse_stop, reads_stop_set


def dataset_key(cfg: dict) -> str:
    """Folder name for a dataset: a readable slug of where it comes from (the pool's file, the data
    folder or the hub id) plus a hash of the whole ``dataset`` block and of the bytes of its local
    split files, so a change to columns, splits, cleaning or limits, or a file replaced in place (even
    by an older one), gets its own data and embeddings."""
    files = cfg.get("files") or {}
    if cfg["pool_split"] in files:
        slug = Path(str(files[cfg["pool_split"]])).stem
    elif cfg.get("data_dir"):
        slug = Path(str(cfg["data_dir"])).name
    else:
        slug = str(cfg.get("name") or "dataset")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", slug)
    h = hashlib.sha256(json.dumps(cfg, sort_keys=True, default=str).encode())
    for path in dataset_files(cfg):
        h.update(file_digest(path).encode())
    return f"{slug.strip('-').lower()}-{h.hexdigest()[:8]}"


def dataset_files(cfg: dict) -> list[Path]:
    """The local files the data step reads (none for a hub id): the pool split's, and the eval split's
    unless ``eval_fraction`` splits the eval rows off the pool's file."""
    roles = ("pool",) if cfg.get("eval_fraction") or cfg.get("mode") == "label" else ("pool", "eval")
    return [p for p in (local_split_path(cfg, cfg[f"{role}_split"]) for role in roles) if p is not None]


def json_digest(obj, length: int) -> str:
    """The first ``length`` hex digits of the sha256 of ``obj`` as canonical JSON (sorted keys)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:length]


@lru_cache(maxsize=None)
def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (once per run and file)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


CACHE_FOLDERS = ("datasets", "embeddings")
SYSTEM_FOLDERS = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/run", "/sbin", "/sys",
                  "/usr", "/var/lib", "/var/log")


def results_folder(value: str) -> str:
    """``results``, with ``~`` expanded; a clear error for an empty value, ``/`` or a system folder."""
    if value is None or not str(value).strip():
        raise ConfigError("results: empty; give the folder every output goes under (e.g. results)")
    folder = Path(str(value)).expanduser()
    resolved = folder.resolve()
    if resolved == Path("/") or any(resolved == Path(d) or Path(d) in resolved.parents for d in SYSTEM_FOLDERS):
        raise ConfigError(f"results: '{value}' is {'/' if resolved == Path('/') else 'a system folder'}; "
                          "give a folder of your own (e.g. results)")
    return str(folder)


RENAMED = {
    ("selection", "strategies"): "selection.strategies: replaced by selection.arms, which takes the same names "
                                 "(within_bucket, recluster) and more (see README, 'Arms')",
    ("selection", "cold_start"): "selection.cold_start: renamed bucket.pick (random or nearest: how the buckets "
                                 "cold start picks n rows in a bucket); an arm's cold start is its own cold_start",
}


def check_renamed(cfg: dict) -> None:
    """Keys an older config may still use: one line saying what replaced them."""
    for (section, key), message in RENAMED.items():
        if key in (cfg.get(section) or {}):
            raise ConfigError(message)


def check_schema(cfg: dict, schema_path) -> None:
    """Validate ``cfg`` against the JSON schema with a one-line error naming the key; Snakemake's
    ``validate`` runs after this to fill in the defaults."""
    import jsonschema
    import yaml

    schema = yaml.safe_load(Path(schema_path).read_text())
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(cfg))
    if error is not None:
        key = ".".join(map(str, error.absolute_path)) or "config"
        raise ConfigError(f"{key}: {error.message}")


def local_source_rows(path: Path) -> int:
    """Row count of a local split file, cheaply where the format allows."""
    if path.suffix == ".parquet":
        from .io import parquet_rows

        try:
            return parquet_rows(path)
        except Exception as exc:
            raise unreadable(path, exc) from exc
    return len(read_local(path))


def file_pool_rows(cfg: dict) -> int | None:
    """The pool file's row count (with dataset.limit.pool), read cheaply where the format allows; None for
    a dataset from the hub. Before dataset.eval_fraction or eval_overlap: drop take their rows: an upper bound."""
    path = local_split_path(cfg["dataset"], cfg["dataset"]["pool_split"])
    if path is None:
        return None
    rows = local_source_rows(path)
    limit = (cfg["dataset"].get("limit") or {}).get("pool")
    return min(rows, limit) if limit else rows


def pool_size(cfg: dict, prepared_pool: Path | None = None) -> int | None:
    """The pool's row count if it can be known without loading from the hub, else None: the prepared pool's
    once the data step has run; before, the file's, or, where dataset.eval_fraction or eval_overlap: drop
    take rows from it, the data step's own preparation of the local files (bucket_al.data.prepare: run once
    more here, on the first run only, so that a budget or stop set the pool cannot give stops at parse time
    and not in a round job after the embedding)."""
    if prepared_pool is not None and prepared_pool.is_file():
        from .io import parquet_rows

        return parquet_rows(prepared_pool)
    ds = cfg["dataset"]
    rows = file_pool_rows(cfg)
    if rows is None or cfg["mode"] == "label" or not (ds["eval_fraction"] or ds["eval_overlap"] == "drop"):
        return rows
    import logging

    from .data import prepare

    quiet = logging.getLogger("bucket_al")  # the data step itself says what the data holds; here only its rows count
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return len(prepare(ds)[0])
    finally:
        quiet.setLevel(level)


def pool_vectors_mb(cfg: dict, data_folder, emb_folder) -> float | None:
    """The pool's vectors in MB (rows x dimension x 4 bytes) where the parse can know them, for the cluster
    resources that grow with the pool (rules/resources.smk); None otherwise. Rows: the prepared pool's, else the
    pool file's (with dataset.eval_fraction an upper bound); dimension: encoder.vectors' files, else the
    embeddings already made, else a local encoder's hidden size."""
    import pyarrow as pa

    prepared = Path(data_folder) / "pool.parquet"
    if prepared.is_file():
        from .io import parquet_rows

        rows = parquet_rows(prepared)
    else:
        rows = file_pool_rows(cfg)
    dim = None
    enc = cfg["encoder"]
    made = Path(emb_folder) / "pool.arrow"
    if enc.get("vectors"):
        from .vectors import vector_dim, vectors_file

        dim = vector_dim(vectors_file(enc["vectors"], cfg["dataset"]["pool_split"]))
    elif made.is_file():
        dim = pa.ipc.open_file(pa.memory_map(str(made), "r")).schema.field("vector").type.list_size
    else:
        source = Path(resolve_encoder(enc["model"]))
        config_json = source / "config.json"
        if config_json.is_file():
            model_config = json.loads(config_json.read_text())
            dim = model_config.get("hidden_size") or model_config.get("dim")
    if rows is None or not dim:
        return None
    return rows * int(dim) * 4 / 2**20


def check_local_max_length(encoder: dict, reduce_dim: int | None = None) -> None:
    """encoder.max_length against a local model's position limit, and reduce.dim against its vectors'
    size (hidden_size), read from its config files (a hub model is checked when it loads, before the
    first batch; reduce.dim then in the reduce step)."""
    from types import SimpleNamespace

    source = Path(resolve_encoder(encoder["model"]))
    if not source.is_dir():
        return
    def read(name):
        path = source / name
        return SimpleNamespace(**json.loads(path.read_text())) if path.is_file() else SimpleNamespace()
    model_config = read("config.json")
    limit = position_limit(read("tokenizer_config.json"), model_config)
    if limit is not None and encoder["max_length"] > limit:
        raise ConfigError(f"encoder.max_length: {encoder['max_length']} is more than the model's limit of "
                          f"{limit} tokens; use at most {limit}")
    size = getattr(model_config, "hidden_size", None) or getattr(model_config, "dim", None)
    if reduce_dim is not None and size and reduce_dim > size:
        raise ConfigError(f"reduce.dim: {reduce_dim} dimensions, but the encoder's vectors have {size}; "
                          f"use at most {size}")


def role_splits(cfg: dict) -> dict[str, str]:
    """The split each role's rows come from: {"pool": ..., "eval": ...} (the eval rows come from the pool's
    file with dataset.eval_fraction; the labelling mode has no eval rows)."""
    ds = cfg["dataset"]
    if cfg["mode"] == "label":
        return {"pool": ds["pool_split"]}
    return {"pool": ds["pool_split"], "eval": ds["pool_split"] if ds["eval_fraction"] else ds["eval_split"]}


def check_own_vectors(cfg: dict) -> None:
    """encoder.vectors at parse time: a file of a kind we read for every split a role reads, the same
    dimension in each, reduce.dim within it, no setting that only the encoder reads (the arms that need
    the zero-shot model: rules/common.smk)."""
    from .vectors import vector_dim, vectors_file

    enc = cfg["encoder"]
    if enc["quantize"] != "none":
        raise ConfigError("encoder.quantize: quantizes the encoder, but encoder.vectors gives the vectors; "
                          "set quantize: none or leave out encoder.vectors")
    dims = {}
    for split in dict.fromkeys(role_splits(cfg).values()):
        path = vectors_file(enc["vectors"], split)
        if enc["vectors_key"] == "text" and path.suffix.lower() == ".npy":
            raise ConfigError(f"encoder.vectors_key: 'text' needs a parquet file with a text column; "
                              f"encoder.vectors.{split} is .npy (its row i is the split file's row i: use vectors_key: row)")
        dims[split] = vector_dim(path)
    if len(set(dims.values())) > 1:
        raise ConfigError(f"encoder.vectors: vectors of different dimensions ({', '.join(f'{s}: {d}' for s, d in dims.items())}); "
                          "give every split's vectors from the same encoder")
    dim = next(iter(dims.values()))
    if cfg["reduce"]["dim"] > dim:
        raise ConfigError(f"reduce.dim: {cfg['reduce']['dim']} dimensions, but encoder.vectors have {dim}; use at most {dim}")


def check_config(cfg: dict, prepared_pool: Path | None = None) -> None:
    """Semantic checks the JSON schema cannot express. Raises a one-line ConfigError/DataError."""
    if cfg["experiment"] in (".", ".."):
        raise ConfigError(f"experiment: '{cfg['experiment']}' would write the experiment into the results "
                          "folder itself or its parent; give it a name (e.g. sst2-offline)")
    if cfg["experiment"] in CACHE_FOLDERS:
        raise ConfigError(f"experiment: '{cfg['experiment']}' is the name of the results folder's shared cache "
                          f"({', '.join(CACHE_FOLDERS)}); give the experiment another name")
    results_folder(cfg["results"])
    sel = cfg["selection"]
    check_learners(cfg)
    extra = set(cfg["ceiling"]["seeds"] or []) - set(cfg["seeds"])
    if extra:
        raise ConfigError(f"ceiling.seeds: {sorted(extra)} not in seeds {cfg['seeds']}")
    check_choice("reduce.method", "method", cfg["reduce"]["method"], METHODS)
    if len(set(cfg["seeds"])) != len(cfg["seeds"]):
        raise ConfigError("seeds: a seed is listed twice")
    ds = cfg["dataset"]
    if cfg["mode"] != "label":  # the labelling mode reads the pool split only
        check_splits(ds)
        if not ds["eval_fraction"]:
            local_split_path(ds, ds["eval_split"])  # raises DataError naming a missing file
    else:
        local_split_path(ds, ds["pool_split"])
    own = cfg["encoder"]["vectors"]
    # raises ConfigError for a missing model directory too
    check_local_max_length(cfg["encoder"], None if own else cfg["reduce"]["dim"])
    if own:
        check_own_vectors(cfg)
    if cfg["encoder"]["quantize"] == "int8" and cfg["encoder"]["device"] == "cuda":
        raise ConfigError("encoder.quantize: int8 runs on the CPU (ONNX Runtime); set encoder.device: cpu or auto")
    check_stopping(cfg)
    check_compare(cfg)
    size = pool_size(cfg, prepared_pool)
    if size is not None:
        if size == 0:
            raise DataError(f"dataset: split '{ds['pool_split']}' is empty")
        stop_set = cfg["stopping"]["stop_set"]
        if stop_set >= size:
            raise ConfigError(f"stopping.stop_set: {stop_set} rows but the pool has only {size}")
        check_budget(size, sel["n"], sel["m"], cfg["bucket"]["k"], sel["rounds"], stop_set)
    sample = cfg["score"]["pool_sample"]
    if sample is not None and sel["rounds"] > 1 and sample < sel["m"] * cfg["bucket"]["k"]:
        raise ConfigError(f"score.pool_sample: {sample} scored rows, but every round selects selection.m * bucket.k = "
                          f"{sel['m'] * cfg['bucket']['k']} of them; raise it to at least that (or null: all)")


def check_learners(cfg: dict) -> None:
    """learner.name and every learner.<name> section: a registered learner, with parameters of the
    right type and range (its declared params); the ceiling's overrides too; a fine-tuned model's own
    start (learner.<name>.model) must exist."""
    learner = cfg["learner"]
    name = learner["name"]
    for section in [k for k in learner if k != "name"]:
        LEARNERS.check(f"learner.{section}", section)
        learner_class(section).resolve(learner[section], f"learner.{section}")
    cls = learner_class(name)
    params = cls.resolve(learner.get(name), f"learner.{name}")
    if cfg["dataset"]["task"] == "multilabel":
        able = [n for n in LEARNERS.names if learner_class(n).multilabel]
        for key, n in [("learner.name", name), *(("compare.learners", c) for c in cfg["compare"]["learners"])]:
            if not learner_class(n).multilabel:
                raise ConfigError(f"{key}: learner '{n}' has no multi-label form (dataset.task: multilabel); "
                                  f"use one of {', '.join(able)}")
    cls.resolve({**(learner.get(name) or {}), **cfg["ceiling"]["params"]}, "ceiling.params")
    if params.get("model"):
        resolve_encoder(params["model"], f"learner.{name}.model")


def check_multilabel_arms(cfg: dict, arms) -> None:
    """With dataset.task: multilabel, every arm's query strategy and cold start must have a multi-label form."""
    if cfg["dataset"]["task"] != "multilabel":
        return
    from .plugins import COLD_STARTS, QUERIES

    for i, arm in enumerate(arms):
        for registry, name, what in ((QUERIES, arm.query, "query strategy"), (COLD_STARTS, arm.cold_start, "cold start")):
            if not registry.get(name).multilabel:
                raise ConfigError(f"selection.arms[{i}]: arm '{arm.name}': {what} '{name}' has no multi-label form "
                                  "(dataset.task: multilabel)")


def check_stopping(cfg: dict) -> None:
    """stopping.criteria and selection.stop: known criteria with valid parameters, and a stop set
    for selection.stop's criterion if it reads one (in hindsight, stopping.stop_set: 0 leaves the
    stop-set criteria out, and the printed summary says so)."""
    parse_criteria(cfg["stopping"]["criteria"])
    stop = parse_stop(cfg["selection"]["stop"])
    if cfg["stopping"]["stop_set"] == 0 and stop and reads_stop_set(stop[0]):
        raise ConfigError(f"selection.stop: criterion '{stop[0]}' reads the stop set, but stopping.stop_set is 0")


def check_compare(cfg: dict) -> None:
    """compare: known learners other than learner.name, each once, with valid learner.<name>
    parameters; ceiling a subset of them; rounds within selection.rounds; and a fixed round plan
    (the compared learners follow the arms' manifests, which selection.stop makes open-ended)."""
    cmp, main = cfg["compare"], cfg["learner"]["name"]
    for name in cmp["learners"]:
        LEARNERS.check("compare.learners", name)
        if name == main:
            raise ConfigError(f"compare.learners: '{name}' is learner.name already (it trains every model anyway)")
    if len(set(cmp["learners"])) != len(cmp["learners"]):
        raise ConfigError("compare.learners: a learner is listed twice")
    extra = [n for n in cmp["ceiling"] if n not in cmp["learners"]]
    if extra:
        raise ConfigError(f"compare.ceiling: {extra} not in compare.learners {cmp['learners']}")
    rounds = cfg["selection"]["rounds"]
    bad = [r for r in cmp["rounds"] or [] if r >= rounds]
    if bad:
        raise ConfigError(f"compare.rounds: {bad} beyond selection.rounds ({rounds}: rounds 0 to {rounds - 1})")
    if cmp["learners"] and cfg["selection"]["stop"]:
        raise ConfigError("compare.learners: needs a fixed round plan, but selection.stop is set")


def check_label_descriptions(descriptions: dict | None) -> None:
    """dataset.label_descriptions: keyed by the labels' values or by their names, one kind of key: two
    config layers, one keyed by values (0, 1) and one by names, merge into a block that gives some
    labels two descriptions."""
    kinds = {}
    for key in descriptions or {}:
        kinds.setdefault("number" if isinstance(key, (int, float)) else "string", []).append(key)
    if len(kinds) > 1:
        raise ConfigError(f"dataset.label_descriptions: keys of two types, numbers {kinds['number'][:3]} and strings "
                          f"{kinds['string'][:3]} (two config layers merged?); key every description one way, by the "
                          "labels' values or by their names")
