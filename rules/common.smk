# Config validation, paths and input helpers shared by every rule.
from pathlib import Path

from snakemake.utils import validate

from bucket_al.config import check_config, check_schema, dataset_key, embedding_key
from bucket_al.data import local_split_path
from bucket_al.learners import learner_class
from bucket_al.provenance import code_digest
from bucket_al.select import budgets

check_schema(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")  # one-line errors
validate(config, schema="../workflow/schemas/config.schema.yaml")  # fills in the defaults

DATASET = config["dataset"]
STRATEGIES = config["selection"]["strategies"]
SEEDS = config["seeds"]
ROUNDS = list(range(config["selection"]["rounds"]))
ARMS = STRATEGIES + ["random"]
CEILING_SEEDS = config["ceiling"]["seeds"] or SEEDS
LEARNER = config["learner"]["name"]
FEATURES = learner_class(LEARNER).features  # "embeddings" (linear) or "text" (finetune)

# Cleaned data and embeddings are keyed by what changes them (the dataset block; the encoder's
# model and max_length), so experiments share them and never overwrite each other's.
RESULTS = config["results"]
DATA = f"{RESULTS}/datasets/{dataset_key(DATASET)}"
EMB = f"{RESULTS}/embeddings/{dataset_key(DATASET)}/{embedding_key(config['encoder'])}"
OUT = f"{RESULTS}/{config['experiment']}"
# UMAP is stochastic: each seed gets its own seeded reduction. PCA is deterministic: one per experiment.
PER_SEED_REDUCTION = config["reduce"]["method"] == "umap"

check_config(config, prepared_pool=Path(DATA) / "pool.parquet")


wildcard_constraints:
    seed=r"\d+",
    round=r"\d+",
    strategy="|".join(STRATEGIES),
    arm="|".join(ARMS),
    role="pool|eval",
    reduction=r"pool|seed\d+",


def package_code(script):
    """Digest of the bucket_al modules a step's script runs (bucket_al.provenance), passed as a
    param so that editing the package re-runs exactly the steps that execute the edited code."""
    return code_digest(Path(workflow.basedir) / "workflow/scripts" / script, Path(SRC) / "bucket_al")


def reduced(seed):
    """The reduced pool a seed's buckets (and recluster) use."""
    return f"{OUT}/reduce/seed{seed}.parquet" if PER_SEED_REDUCTION else f"{OUT}/reduce/pool.parquet"


def local_dataset_files(wildcards=None):
    """The local split files, as inputs, so editing one re-runs the data step."""
    return [
        str(p)
        for p in (local_split_path(DATASET, DATASET[f"{role}_split"]) for role in ("pool", "eval"))
        if p is not None
    ]


def features(role):
    """What the learner reads for a role (pool or eval): its embeddings, or its cleaned text."""
    return f"{EMB}/{role}.parquet" if FEATURES == "embeddings" else f"{DATA}/{role}.parquet"


def learner_config(ceiling=False):
    """The learner's name and parameters as the train, ceiling and score rules get them. A
    fine-tuned model (finetune, setfit) starts from the configured encoder, on its device, unless
    learner.<name>.model / device say otherwise."""
    params = dict(config["learner"].get(LEARNER) or {})
    if LEARNER in ("finetune", "setfit"):
        params = {"model": config["encoder"]["model"], "device": config["encoder"]["device"], **params}
    if ceiling:
        params |= config["ceiling"]["params"]
    return {"name": LEARNER, "params": params}


# Cluster resources (mem_mb in MB, runtime in minutes) of the steps that hold a model.
# GPUs per job come from resources.gpu (0: none); profiles can override any of these.
MODEL_RESOURCES = {
    "linear": {"train": (2000, 10), "ceiling": (4000, 30), "score": (4000, 10)},
    "finetune": {"train": (8000, 120), "ceiling": (16000, 1440), "score": (8000, 60)},
    "nb": {"train": (2000, 10), "ceiling": (8000, 30), "score": (4000, 10)},
    "knn": {"train": (2000, 10), "ceiling": (4000, 30), "score": (4000, 30)},
    "setfit": {"train": (8000, 120), "ceiling": (16000, 1440), "score": (8000, 60)},
}


def model_resources(step):
    mem_mb, runtime = MODEL_RESOURCES[LEARNER][step]
    gpu = config["resources"]["gpu"] if FEATURES == "text" else 0
    return {"mem_mb": mem_mb, "runtime": runtime, **({"gpu": gpu} if gpu else {})}


def plan(round_):
    """Cumulative labelled-set sizes of rounds 0..round_."""
    s = config["selection"]
    return budgets(s["n"], s["m"], config["bucket"]["k"], s["rounds"])[: int(round_) + 1]


def all_metrics(wildcards=None):
    model_dirs = [f"{OUT}/{arm}/seed{seed}/round{r}" for arm in ARMS for seed in SEEDS for r in ROUNDS]
    model_dirs += [f"{OUT}/ceiling/seed{seed}" for seed in CEILING_SEEDS]
    return [f"{d}/metrics.json" for d in model_dirs]


def print_round_table():
    table = Path(OUT) / "round_table.txt"
    if table.is_file():
        print(table.read_text())


def selected_from(w):
    """The table a strategy's round r >= 1 selected from (round r-1's scored rows), so that
    metrics.json records how many rows were really scored."""
    if w.arm not in STRATEGIES or int(w.round) == 0:
        return {}
    return {"scored": f"{OUT}/{w.arm}/seed{w.seed}/round{int(w.round) - 1}/entropy.parquet"}


def entropy_round_inputs(w):
    prev = f"{OUT}/{w.strategy}/seed{w.seed}/round{int(w.round) - 1}"
    inputs = {"previous": f"{prev}/manifest.parquet", "entropy": f"{prev}/entropy.parquet"}
    if w.strategy == "recluster":
        inputs["reduced"] = reduced(w.seed)
    return inputs


def entropy_round_params(w):
    s = config["selection"]
    params = {"strategy": w.strategy, "m": s["m"], "k": config["bucket"]["k"]}
    if w.strategy == "recluster":
        params |= {"candidate_factor": s["candidate_factor"], "n_init": config["bucket"]["n_init"]}
    return params
