# Config validation, paths and input helpers shared by every rule.
import re
from itertools import product
from pathlib import Path

from snakemake.utils import validate

from bucket_al.arms import cold_start_needs, parse_arms, query_needs, query_settings_of
from bucket_al.config import check_config, check_renamed, check_schema, dataset_key, embedding_key
from bucket_al.data import local_split_path
from bucket_al.io import read_json
from bucket_al.learners import learner_class, reads_pool, uses_encoder
from bucket_al.provenance import code_digest
from bucket_al.select import budgets
from bucket_al.stopping import parse_criteria, parse_stop
from bucket_al.strategies import SETTINGS

check_renamed(config)  # keys that an older config may still use
check_schema(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")  # one-line errors
validate(config, schema="../workflow/schemas/config.schema.yaml")  # fills in the defaults

DATASET = config["dataset"]
SEEDS = config["seeds"]
ROUNDS = list(range(config["selection"]["rounds"]))
CEILING_SEEDS = config["ceiling"]["seeds"] or SEEDS
LEARNER = config["learner"]["name"]
FEATURES = learner_class(LEARNER).features  # "embeddings" (linear, knn) or "text" (finetune, setfit, selftrain, nb)

# Cleaned data and embeddings are keyed by what changes them (the dataset block; the encoder's
# model and max_length), so experiments share them and never overwrite each other's.
RESULTS = config["results"]
DATA = f"{RESULTS}/datasets/{dataset_key(DATASET)}"
EMB = f"{RESULTS}/embeddings/{dataset_key(DATASET)}/{embedding_key(config['encoder'])}"
OUT = f"{RESULTS}/{config['experiment']}"
# UMAP is stochastic: each seed gets its own seeded reduction. PCA is deterministic: one per experiment.
PER_SEED_REDUCTION = config["reduce"]["method"] == "umap"

check_config(config, prepared_pool=Path(DATA) / "pool.parquet")

# The arms (bucket_al.arms): a cold start for round 0, a query strategy for the rounds after it.
# Every model lives in a "unit" folder: an arm's rounds >= 1, the random twin's rounds, and each
# cold start's round 0 (cold_start/<name>, shared by every arm that starts that way; the random
# cold start is the twin's own round 0).
ARMS = {arm.name: arm for arm in parse_arms(config["selection"]["arms"], learner_class(LEARNER))}
COLD_STARTS = sorted({arm.cold_start for arm in ARMS.values()} - {"random"})
UNITS = [*ARMS, "random", *(f"cold_start/{c}" for c in COLD_STARTS)]

# Stopping (bucket_al.stopping): every seed's stop set (stopping.stop_set rows that no arm or twin
# labels) is predicted by every model; the criteria of stopping.criteria are evaluated in hindsight,
# and selection.stop (if set) ends an arm's rounds when its criterion fires.
STOP_SET = config["stopping"]["stop_set"]
CRITERIA = parse_criteria(config["stopping"]["criteria"])
STOP = parse_stop(config["selection"]["stop"])
# in hindsight: every criterion of stopping.criteria, and selection.stop's own if it is not one of them
HINDSIGHT = [*CRITERIA, *([STOP] if STOP and STOP not in CRITERIA else [])]


# Learners side by side (compare.learners, rules/compare.smk): trained on the same manifests.
COMPARE = config["compare"]["learners"]
COMPARE_ROUNDS = config["compare"]["rounds"] or ROUNDS
COMPARE_CEILING = config["compare"]["ceiling"]


def one_of(names):
    """A wildcard constraint matching exactly these names (none: matches nothing)."""
    return "|".join(re.escape(n) for n in names) or "(?!)"


wildcard_constraints:
    seed=r"\d+",
    round=r"\d+",
    arm=one_of(ARMS),
    unit=one_of(UNITS),
    cold=one_of(COLD_STARTS),
    role="pool|eval",
    reduction=r"pool|seed\d+",


def cold_unit(cold):
    return "random" if cold == "random" else f"cold_start/{cold}"


def node(arm, seed, round_):
    """The folder of an arm's model at round r: its cold start's for round 0."""
    unit = cold_unit(ARMS[arm].cold_start) if int(round_) == 0 else arm
    return f"{OUT}/{unit}/seed{seed}/round{round_}"


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


def features(role, learner=None):
    """What a learner (default: learner.name) reads for a role (pool or eval): its embeddings, or
    its cleaned text."""
    kind = learner_class(learner).features if learner else FEATURES
    return f"{EMB}/{role}.parquet" if kind == "embeddings" else f"{DATA}/{role}.parquet"


def learner_config(ceiling=False, name=LEARNER):
    """A learner's name and parameters (learner.<name>) as the train, ceiling and score rules get
    them. A learner that starts from an encoder (finetune, setfit, selftrain: uses_encoder) starts
    from the configured one, on its device, unless learner.<name>.model / device say otherwise.
    ``ceiling``: with ceiling.params on top (the experiment's own learner only)."""
    params = dict(config["learner"].get(name) or {})
    if uses_encoder(name):
        params = {"model": config["encoder"]["model"], "device": config["encoder"]["device"], **params}
    if ceiling:
        params |= config["ceiling"]["params"]
    return {"name": name, "params": params}


def pool_rows_input(learner=LEARNER):
    """For a learner that reads the unlabelled pool (reads_pool: self-training), the seed's stop
    set, which it must leave out; nothing for the others."""
    return lambda w: stop_set(w) if reads_pool(learner) else {}


# Cluster resources (mem_mb in MB, runtime in minutes) of the steps that hold a model.
# GPUs per job come from resources.gpu (0: none); profiles can override any of these.
MODEL_RESOURCES = {
    "linear": {"train": (2000, 10), "ceiling": (4000, 30), "score": (4000, 10)},
    "finetune": {"train": (8000, 120), "ceiling": (16000, 1440), "score": (8000, 60)},
    "nb": {"train": (2000, 10), "ceiling": (8000, 30), "score": (4000, 10)},
    "knn": {"train": (2000, 10), "ceiling": (4000, 30), "score": (4000, 30)},
    "setfit": {"train": (8000, 120), "ceiling": (16000, 1440), "score": (8000, 60)},
    # teacher + Monte Carlo dropout over unlabelled_rows + student: about three fine-tunings
    "selftrain": {"train": (8000, 360), "ceiling": (16000, 1440), "score": (8000, 60)},
}


def model_resources(step, learner=LEARNER):
    mem_mb, runtime = MODEL_RESOURCES[learner][step]
    gpu = config["resources"]["gpu"] if learner_class(learner).uses_gpu else 0
    return {"mem_mb": mem_mb, "runtime": runtime, **({"gpu": gpu} if gpu else {})}


def plan(round_):
    """Cumulative labelled-set sizes of rounds 0..round_."""
    s = config["selection"]
    return budgets(s["n"], s["m"], config["bucket"]["k"], s["rounds"])[: int(round_) + 1]


def last_round(arm, seed):
    """The arm's last round for a seed: selection.rounds - 1, or with selection.stop the first round
    whose stop check fired. The stop check is a checkpoint, so the DAG gains a round only while the
    criterion has not fired."""
    if STOP is None:
        return ROUNDS[-1]
    for r in ROUNDS[:-1]:
        if read_json(checkpoints.stop_check.get(arm=arm, seed=seed, round=r).output[0])["stop"]:
            return r
    return ROUNDS[-1]


def twin_last_round(seed):
    """The random twin goes as far as the furthest arm of the seed (each arm is compared with it
    only up to its own last round)."""
    return max(last_round(arm, seed) for arm in ARMS)


def model_files(filename, tag):
    """Named inputs {tag}_<i>: ``filename`` of every model (each arm's rounds >= 1, each cold start's
    round 0, every round of the random twin), one input function per arm and seed: an input function
    stops at the first stop check it lacks, so separate ones let Snakemake run the stop checks of
    every arm and seed side by side (bucket_al.io.named_files collects them again)."""
    items = []
    for arm, seed in product(ARMS, SEEDS):
        items.append(
            lambda w, a=arm, s=seed: [f"{OUT}/{a}/seed{s}/round{r}/{filename}" for r in range(1, last_round(a, s) + 1)]
        )
    for seed in SEEDS:
        items.append(
            lambda w, s=seed: [f"{OUT}/random/seed{s}/round{r}/{filename}" for r in range(twin_last_round(s) + 1)]
        )
    items += [f"{OUT}/cold_start/{c}/seed{s}/round0/{filename}" for c in COLD_STARTS for s in SEEDS]
    return {f"{tag}_{i}": item for i, item in enumerate(items)}


def ceiling_metrics(wildcards=None):
    return [f"{OUT}/ceiling/seed{s}/metrics.json" for s in CEILING_SEEDS]


def stop_set(w):
    """The seed's stop set, as an input of the steps that must leave it out or predict it."""
    return {"stop_set": f"{OUT}/stop_set/seed{w.seed}.parquet"} if STOP_SET else {}


def stop_check_inputs(w):
    """Round r's stop check reads the stop-set predictions of the arm's rounds 0..r."""
    rounds = [node(w.arm, w.seed, r) for r in range(int(w.round) + 1)]
    inputs = {"metrics": [f"{d}/metrics.json" for d in rounds]}
    if STOP_SET:
        inputs["predictions"] = [f"{d}/stop_set.parquet" for d in rounds]
    return inputs


def print_round_table():
    table = Path(OUT) / "round_table.txt"
    if table.is_file():
        print(table.read_text())


def selected_from(w):
    """The scores an arm's round r >= 1 selected from (round r-1's), so that metrics.json records
    how many rows were really scored."""
    if w.unit not in ARMS:
        return {}
    return {"scored": f"{node(w.unit, w.seed, int(w.round) - 1)}/scores.parquet"}


# The files each need of a strategy (bucket_al.strategies) reads. "grad_embedding" reads the input of
# the learner's output layer: the embeddings for a learner on embeddings, else the score step's
# last_layer.parquet. Class probabilities ("proba", "labelled") are always in the scores table.
def need_files(need, seed, prev):
    return {
        "embeddings": {"embeddings": f"{EMB}/pool.parquet"},
        "reduced": {"reduced": reduced(seed)},
        "buckets": {"buckets": f"{OUT}/bucket/seed{seed}.parquet"},
        "grad_embedding": {
            "last_layer": f"{EMB}/pool.parquet" if FEATURES == "embeddings" else f"{prev}/last_layer.parquet"
        },
    }.get(need, {})


def config_value(dotted):
    """config["a"]["b"] for "a.b"."""
    section, key = dotted.split(".")
    return config[section][key]


def query_settings(w):
    """The workflow settings an arm's strategy declared it reads (bucket_al.strategies.SETTINGS)."""
    return {key: config_value(SETTINGS[key]) for key in query_settings_of(ARMS[w.arm])}


def cold_start_inputs(w):
    inputs = {"pool": f"{DATA}/pool.parquet"}
    for need in cold_start_needs(w.cold):
        inputs |= need_files(need, w.seed, None)
    return inputs


def query_inputs(w):
    prev = node(w.arm, w.seed, int(w.round) - 1)
    inputs = {"previous": f"{prev}/manifest.parquet", "scores": f"{prev}/scores.parquet"}
    for need in query_needs(ARMS[w.arm]):
        inputs |= need_files(need, w.seed, prev)
    return inputs


# The score step also writes the learner's last layer when an arm needs it and the learner does not
# read the embeddings themselves (e.g. BADGE on a fine-tuned model).
SCORE_LAST_LAYER = FEATURES != "embeddings" and any("grad_embedding" in query_needs(a) for a in ARMS.values())


def compared_models():
    """Every model of the learner table: (learner, arm, seed, round, metrics, benchmark) for the
    experiment's own learner and each compared one, each arm and the random twin, every seed and
    compare round; then the full-data models (round None)."""
    models = []
    for arm, seed, r in product([*ARMS, "random"], SEEDS, COMPARE_ROUNDS):
        unit = arm if arm == "random" or r > 0 else cold_unit(ARMS[arm].cold_start)
        folder, bench = f"{OUT}/{unit}/seed{seed}/round{r}", f"{OUT}/benchmarks/{unit}/seed{seed}"
        models.append((LEARNER, arm, seed, r, f"{folder}/metrics.json", f"{bench}/train_round{r}.tsv"))
        models += [
            (name, arm, seed, r, f"{folder}/compare/{name}/metrics.json", f"{bench}/compare/{name}/train_round{r}.tsv")
            for name in COMPARE
        ]
    for seed in CEILING_SEEDS:
        folder, bench = f"{OUT}/ceiling/seed{seed}", f"{OUT}/benchmarks/ceiling/seed{seed}"
        models.append((LEARNER, "ceiling", seed, None, f"{folder}/metrics.json", f"{bench}/train.tsv"))
        models += [
            (name, "ceiling", seed, None, f"{folder}/compare/{name}/metrics.json", f"{bench}/compare/{name}/train.tsv")
            for name in COMPARE_CEILING
        ]
    return models


COMPARED_MODELS = compared_models()  # listed once, read by the learner_table rule's input and params
