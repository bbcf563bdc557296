# Config validation, paths and input helpers shared by every rule.
import re
from functools import lru_cache
from itertools import product
from pathlib import Path

from snakemake.utils import validate

from bucket_al.arms import cold_start_needs, parse_arms, query_needs, query_settings_of
from bucket_al.config import (
    check_config,
    check_label_descriptions,
    check_multilabel_arms,
    check_renamed,
    check_schema,
    dataset_files,
    dataset_key,
    embedding_key,
    json_digest,
    results_folder,
    role_splits,
)
from bucket_al.errors import ConfigError
from bucket_al.io import read_json
from bucket_al.learners import learner_class
from bucket_al.plugins import COLD_STARTS, CRITERIA, LEARNERS, QUERIES
from bucket_al.provenance import code_digest
from bucket_al.select import budgets
from bucket_al.stopping import parse_criteria, parse_stop
from bucket_al.vectors import vectors_file, vectors_key
from bucket_al.zero_shot import label_texts

check_renamed(config)  # keys that an older config may still use
check_schema(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")  # one-line errors
validate(config, schema="../workflow/schemas/config.schema.yaml")  # fills in the defaults
check_label_descriptions(config["dataset"]["label_descriptions"])  # before its digest below

DATASET = config["dataset"]
MULTILABEL = DATASET["task"] == "multilabel"
SEEDS = config["seeds"]
ROUNDS = list(range(config["selection"]["rounds"]))
LAST = ROUNDS[-1]
LEARNER = config["learner"]["name"]
LEARNER_CLASS = learner_class(LEARNER)
FEATURES = LEARNER_CLASS.features  # "embeddings" (linear, knn) or "text" (finetune, setfit, selftrain, nb)
# a learner whose fit does not depend on the seed (seeded = False: lbfgs, k-NN, naive Bayes) trains
# its full-data model once; ceiling.seeds chooses otherwise
CEILING_SEEDS = config["ceiling"]["seeds"] or (SEEDS if LEARNER_CLASS.seeded else SEEDS[:1])

# Cleaned data and embeddings are keyed by what changes them (the dataset block; the encoder's
# model and max_length), so experiments share them and never overwrite each other's.
RESULTS = results_folder(config["results"])  # ~ expanded; not / or a system folder
# the dataset block less what does not change the data (the zero-shot model's label texts)
DATA_CONFIG = {k: v for k, v in DATASET.items() if k != "label_descriptions"}
LABEL_MODE = config["mode"] == "label"
if LABEL_MODE:  # the labelling mode's data step reads the pool only, with the label set of label.names
    DATA_CONFIG |= {"mode": "label", "label_names": config["label"]["names"]}
DATA_KEY = dataset_key(DATA_CONFIG)
DATA = f"{RESULTS}/datasets/{DATA_KEY}"
# encoder.vectors: the user's own vectors instead of the encoder's (bucket_al.vectors), keyed by their files' bytes
OWN_VECTORS = config["encoder"]["vectors"]
ROLE_SPLITS = role_splits(config)  # {role: the split its rows come from}
check_config(config, prepared_pool=Path(DATA) / "pool.parquet")  # before the files' digests below
VECTORS_KEY = (
    vectors_key(OWN_VECTORS, config["encoder"]["vectors_key"], list(dict.fromkeys(ROLE_SPLITS.values())))
    if OWN_VECTORS
    else embedding_key(config["encoder"])
)
EMB = f"{RESULTS}/embeddings/{DATA_KEY}/{VECTORS_KEY}"
SHARDS = config["encoder"]["shards"]  # embedding jobs per role (rules/embed.smk); the vectors are the same
LABEL_TEXTS_KEY = json_digest(DATASET["label_descriptions"], 8)
if DATASET["label_descriptions"]:  # a key naming no label stops here where the label set is known before any job
    if Path(f"{DATA}/labels.json").is_file():
        label_texts(read_json(f"{DATA}/labels.json"), DATASET["label_descriptions"])
    elif LABEL_MODE and config["label"]["names"]:
        label_texts(
            {"values": config["label"]["names"], "names": config["label"]["names"]}, DATASET["label_descriptions"]
        )
ZERO_SHOT_EMB = f"{EMB}/labels-{LABEL_TEXTS_KEY}"  # the label texts' vectors (zero-shot)
OUT = f"{RESULTS}/{config['experiment']}"
# UMAP is stochastic: each seed gets its own seeded reduction. PCA is deterministic: one per experiment.
PER_SEED_REDUCTION = config["reduce"]["method"] == "umap"

# The arms (bucket_al.arms): a cold start for round 0, a query strategy for the rounds after it.
# Every model lives in a "unit" folder: an arm's rounds >= 1, the random twin's rounds, and each
# cold start's round 0 (cold_start/<key>, shared by every arm that starts that way with the same
# parameters; the random cold start is the twin's own round 0).
ARMS = {arm.name: arm for arm in parse_arms(config["selection"]["arms"], LEARNER_CLASS)}
check_multilabel_arms(config, ARMS.values())
# The zero-shot model embeds the label texts with encoder.model; rows embedded by something else (encoder.vectors)
# are not comparable with them: no zero-shot reference, and no arm that needs the zero-shot model.
ZERO_SHOT_REFERENCE = not OWN_VECTORS
if OWN_VECTORS:
    for arm in ARMS.values():
        if "zero_shot" in {*cold_start_needs(arm.cold_start), *query_needs(arm)}:
            raise ConfigError(
                f"selection.arms: '{arm.name}' needs the zero-shot model, which embeds the label texts with "
                "encoder.model; with encoder.vectors the rows' vectors come from elsewhere"
            )
COLD_STARTS_USED = {arm.cold_key: arm for arm in ARMS.values() if arm.cold_unit != "random"}  # key: an arm using it
UNITS = [*ARMS, "random", *(f"cold_start/{c}" for c in COLD_STARTS_USED)]

# Stopping (bucket_al.stopping): every seed's stop set (stopping.stop_set rows that no arm or twin
# labels) is predicted by every model; the criteria of stopping.criteria are evaluated in hindsight,
# and selection.stop (if set) ends an arm's rounds when its criterion fires.
STOP_SET = config["stopping"]["stop_set"]
CRITERIA_USED = parse_criteria(config["stopping"]["criteria"])
STOP = parse_stop(config["selection"]["stop"])
# in hindsight: every criterion of stopping.criteria, and selection.stop's own if it is not one of them
HINDSIGHT = [*CRITERIA_USED, *([STOP] if STOP and STOP not in CRITERIA_USED else [])]

# Learners side by side (compare.learners, rules/model.smk): trained on the same manifests.
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
    cold=one_of(COLD_STARTS_USED),
    learner=one_of(COMPARE),
    role="pool|eval",
    reduction=r"pool|seed\d+",


# Scheduling: the chain of each seed (reduction, buckets, stop set, cold starts, an arm's rounds one after the other)
# goes first, and the jobs that hang off it (the twins, the ceiling) fill the cores it leaves idle: the
# chain's rounds wait for each other, the twins for nothing. Order only; no result depends on it.
CHAIN_PRIORITY = 1


# -- round folders ------------------------------------------------------------------------------
# A round's folder is <unit>/seed<s>/round<r> (round_folder). A round's model scores the pool only
# where a later round selects from it: each cold start's round 0, the random twin's round 0 when an
# arm starts randomly, and an arm's rounds but its last (with selection.stop, rounds but the maximum).
RANDOM_START = any(arm.cold_unit == "random" for arm in ARMS.values())
TWIN_SCORED_ROUNDS = [0] if RANDOM_START and LAST > 0 else []  # the twin_scored rounds (the rest: twin)


def cold_unit(cold):
    return "random" if cold == "random" else f"cold_start/{cold}"


def round_folder(arm, seed, round_):
    """The folder of an arm's round r: its cold start's for round 0."""
    unit = ARMS[arm].cold_unit if int(round_) == 0 else arm
    return f"{OUT}/{unit}/seed{seed}/round{round_}"


# -- code digests -------------------------------------------------------------------------------
def code_commit():
    """The commit of this checkout, with "-dirty" when tracked files differ from it (run.json)."""
    import subprocess

    def git(*args):
        return subprocess.run(["git", "-C", workflow.basedir, *args], capture_output=True, text=True)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return f"{head.stdout.strip()}{'-dirty' if dirty else ''}"


CODE_COMMIT = code_commit()
# the results folder is where a run goes, not what it computes: the same experiment elsewhere has the same digest
CONFIG_DIGEST = json_digest({k: v for k, v in config.items() if k != "results"}, 12)


@lru_cache(maxsize=None)
def _digest(script, plugins):
    return code_digest(Path(workflow.basedir) / "workflow/scripts" / script, Path(SRC) / "bucket_al", plugins)


def package_code(script, *plugins):
    """Digest of the bucket_al modules a step's script runs (bucket_al.provenance), passed as a
    param so that editing the package re-runs exactly the steps that execute the edited code.
    ``plugins``: the (registry, name) pairs of the plug-ins the step runs."""
    return _digest(script, tuple(plugins))


# -- inputs -------------------------------------------------------------------------------------
def reduced(seed):
    """The reduced pool a seed's buckets (and recluster) use (the memory-mappable copy)."""
    return f"{OUT}/reduce/seed{seed}.arrow" if PER_SEED_REDUCTION else f"{OUT}/reduce/pool.arrow"


def split_rows(split):
    """The row count of a split's local file (None for a dataset from the hub)."""
    from bucket_al.config import local_source_rows
    from bucket_al.data import local_split_path

    path = local_split_path(DATASET, split)
    return None if path is None else local_source_rows(path)


def local_dataset_files(wildcards=None):
    """The local split files, as inputs, so editing one re-runs the data step (the dataset's key, a
    digest of their bytes, changes the data step's outputs too, so even an older file replacing one does)."""
    return [str(p) for p in dataset_files(DATA_CONFIG)]


def features(role, learner=LEARNER):
    """What a learner reads for a role (pool or eval): its embeddings (memory-mapped), or its cleaned text."""
    kind = learner_class(learner).features
    return f"{EMB}/{role}.arrow" if kind == "embeddings" else f"{DATA}/{role}.parquet"


def stop_set(w):
    """The seed's stop set, as an input of the steps that must leave it out or predict it."""
    return {"stop_set": f"{OUT}/stop_set/seed{w.seed}.parquet"} if STOP_SET else {}


def learner_config(ceiling=False, name=LEARNER):
    """A learner's name and parameters (learner.<name>, resolved against its declared params) as the
    model rules get them. A learner that starts from an encoder (uses_encoder) starts from the
    configured one, on its device, unless learner.<name>.model / device say otherwise.
    ``ceiling``: with ceiling.params on top (the experiment's own learner only)."""
    cls = learner_class(name)
    params = dict(config["learner"].get(name) or {})
    if ceiling:
        params |= config["ceiling"]["params"]
    params = cls.resolve(params, f"learner.{name}")
    if cls.uses_encoder:
        params["model"] = params["model"] or config["encoder"]["model"]
        params["device"] = params["device"] or config["encoder"]["device"]
    return {"name": name, "params": params}


def learner_inputs(learner=LEARNER):
    """What a learner's job reads: the pool (labels), the learner's features of the pool and the eval
    split, the eval split and labels.json."""
    return {
        "pool": f"{DATA}/pool.parquet",
        "features": features("pool", learner),
        "eval": f"{DATA}/eval.parquet",
        "eval_features": features("eval", learner),
        "labels": f"{DATA}/labels.json",
    }


def ceiling_inputs(w):
    return learner_inputs()


def compare_ceiling_inputs(w):
    return learner_inputs(w.learner)


def compare_inputs(w):
    """A compared learner on a round's rows: its manifest, and the seed's stop set for a learner that
    reads the unlabelled pool (self-training leaves the stop set out of it)."""
    inputs = learner_inputs(w.learner) | {"manifest": f"{OUT}/{w.unit}/seed{w.seed}/round{w.round}/manifest.parquet"}
    return inputs | (stop_set(w) if learner_class(w.learner).reads_pool else {})


def round_outputs(folder, scored):
    """What a round's job writes into its folder: the manifest, the model, its stop-set predictions,
    and, when a later round selects from it (``scored``), its scores of the pool (and the learner's
    last layer of the scored rows when an arm needs it and the learner does not read the embeddings);
    metrics.json, which the job writes last (bucket_al.model.run_model)."""
    return {
        "manifest": f"{folder}/manifest.parquet",
        **({"stop": f"{folder}/stop_set.parquet"} if STOP_SET else {}),
        **({"last_layer": f"{folder}/last_layer.parquet"} if scored and SCORE_LAST_LAYER else {}),
        **({"scores": f"{folder}/scores.parquet"} if scored else {}),
        "model": directory(f"{folder}/model"),
        "metrics": f"{folder}/metrics.json",
    }


# The model jobs also write the learner's last layer when an arm needs it and the learner does not
# read the embeddings themselves (e.g. BADGE on a fine-tuned model).
SCORE_LAST_LAYER = FEATURES != "embeddings" and any("grad_embedding" in query_needs(a) for a in ARMS.values())


def learner_params(ceiling=False, compared=False):
    """The learner a model job trains (its name and resolved parameters) and the multi-label decision
    settings. ``compared``: the {learner} wildcard (compare.learners); ``ceiling``: ceiling.params on top."""
    learner = (lambda w: learner_config(name=w.learner)) if compared else learner_config(ceiling=ceiling)
    # the threshold settings of a multi-label run (an empty param is dropped)
    return dict(learner=learner, multilabel=config["multilabel"] if MULTILABEL else {})


# -- the round plan and what the aggregates read ------------------------------------------------
def budget_plan(round_):
    """Cumulative labelled-set sizes of rounds 0..round_."""
    s = config["selection"]
    return budgets(s["n"], s["m"], config["bucket"]["k"], s["rounds"])[: int(round_) + 1]


def last_round(arm, seed):
    """The arm's last round for a seed: selection.rounds - 1, or with selection.stop the first round
    whose stop check fired. The stop check is a checkpoint, so the DAG gains a round only while the
    criterion has not fired."""
    if STOP is None:
        return LAST
    for r in ROUNDS[:-1]:
        if read_json(checkpoints.stop_check.get(arm=arm, seed=seed, round=r).output[0])["stop"]:
            return r
    return LAST


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
    items += [f"{OUT}/cold_start/{c}/seed{s}/round0/{filename}" for c in COLD_STARTS_USED for s in SEEDS]
    return {f"{tag}_{i}": item for i, item in enumerate(items)}


def ceiling_metrics(wildcards=None):
    return [f"{OUT}/ceiling/seed{s}/metrics.json" for s in CEILING_SEEDS]


def stop_check_inputs(w):
    """Round r's stop check reads the stop-set predictions of the arm's rounds 0..r."""
    rounds = [round_folder(w.arm, w.seed, r) for r in range(int(w.round) + 1)]
    inputs = {"metrics": [f"{d}/metrics.json" for d in rounds]}
    if STOP_SET:
        inputs["predictions"] = [f"{d}/stop_set.parquet" for d in rounds]
    return inputs


def final_targets(wildcards=None):
    """What `snakemake` makes: the labelling mode's next batch and report (label_targets), or the
    experiment's tables, plots and run.json."""
    if LABEL_MODE:
        return label_targets()
    return [
        *rules.aggregate.output,
        *rules.pick_map.output,
        *rules.stamp.output,
        *(rules.learner_table.output if COMPARE else []),
    ]


def print_what_next():
    """onsuccess: the labelling mode's next step, or the experiment's round table."""
    if LABEL_MODE:
        print_label_next()
        return
    table = Path(OUT) / "round_table.txt"
    if table.is_file():
        print(table.read_text())


# -- what a select job reads --------------------------------------------------------------------
# The files each need of a strategy (bucket_al.strategies.base.NEEDS) reads. "grad_embedding" reads
# the input of the learner's output layer: the embeddings for a learner on embeddings, else the
# model job's last_layer.parquet. Class probabilities ("proba", "labelled") are always in the scores.
def need_files(need, seed, prev):
    return {
        "embeddings": {"embeddings": f"{EMB}/pool.arrow"},
        "reduced": {"reduced": reduced(seed)},
        "buckets": {"buckets": f"{OUT}/bucket/seed{seed}.parquet"},
        "grad_embedding": {
            "last_layer": f"{EMB}/pool.arrow" if FEATURES == "embeddings" else f"{prev}/last_layer.parquet"
        },
        "zero_shot": {"zero_shot": f"{OUT}/zero_shot/scores.parquet"},
    }.get(need, {})


def config_value(dotted):
    """config["a"]["b"] for "a.b"."""
    section, key = dotted.split(".")
    return config[section][key]


def query_settings(w):
    """The workflow settings an arm's strategy declared it reads, by their last name."""
    return {key.split(".")[-1]: config_value(key) for key in query_settings_of(ARMS[w.arm])}


def cold_start_inputs(w):
    """A cold start's round 0: the learner's inputs, the seed's stop set (never picked) and the files
    the cold start declared it needs."""
    inputs = learner_inputs() | stop_set(w)
    for need in cold_start_needs(COLD_STARTS_USED[w.cold].cold_start):
        inputs |= need_files(need, w.seed, None)
    return inputs


def round_inputs(w):
    """An arm's round r >= 1: the learner's inputs, the stop set, round r-1's manifest and scores,
    and the files the arm's query strategy declared it needs."""
    prev = round_folder(w.arm, w.seed, int(w.round) - 1)
    inputs = learner_inputs() | stop_set(w)
    inputs |= {"previous": f"{prev}/manifest.parquet", "scores": f"{prev}/scores.parquet"}
    for need in query_needs(ARMS[w.arm]):
        inputs |= need_files(need, w.seed, prev)
    return inputs


def twin_inputs(w):
    """The random twin's round: the learner's inputs and the stop set (never drawn)."""
    return learner_inputs() | stop_set(w)


def compared_models():
    """Every model of the learner table: (learner, arm, seed, round, metrics, benchmark) for the
    experiment's own learner and each compared one, each arm and the random twin, every seed and
    compare round; then the full-data models (round None)."""
    models = []
    for arm, seed, r in product([*ARMS, "random"], SEEDS, COMPARE_ROUNDS):
        unit = arm if arm == "random" or r > 0 else ARMS[arm].cold_unit
        folder, bench = f"{OUT}/{unit}/seed{seed}/round{r}", f"{OUT}/benchmarks/{unit}/seed{seed}/round{r}"
        # the experiment's own model is trained in its round's job: its figure includes the selection
        models.append((LEARNER, arm, seed, r, f"{folder}/metrics.json", f"{bench}/round.tsv"))
        models += [
            (name, arm, seed, r, f"{folder}/compare/{name}/metrics.json", f"{bench}/compare_{name}.tsv")
            for name in COMPARE
        ]
    for seed in CEILING_SEEDS:
        folder, bench = f"{OUT}/ceiling/seed{seed}", f"{OUT}/benchmarks/ceiling/seed{seed}"
        models.append((LEARNER, "ceiling", seed, None, f"{folder}/metrics.json", f"{bench}/model.tsv"))
        models += [
            (name, "ceiling", seed, None, f"{folder}/compare/{name}/metrics.json", f"{bench}/compare_{name}.tsv")
            for name in COMPARE_CEILING
        ]
    return models


COMPARED_MODELS = compared_models()  # listed once, read by the learner_table rule's input and params
