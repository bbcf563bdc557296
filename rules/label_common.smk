# Labelling mode (mode: label): one arm drives a person labelling the pool, round by round. Round r's
# batch goes out (label/round<r>/batch.csv, tasks.json); the person returns its labels into the labels
# folder (round<r>.csv or round<r>.json); round r's model trains on every label so far and scores the
# pool for round r+1's batch. Which rounds came back is read here, at parse time: a returned round's
# batch is a fact, never an output (no rule writes it again), and its labels are checked here, before any job.
from bucket_al.config import file_digest
from bucket_al.errors import ConfigError
from bucket_al.io import parquet_rows, read_table
from bucket_al.label import label_file_separator, read_returned, returned_rounds

LABEL = config["label"]
LABEL_FOLDER = Path(LABEL["folder"] or f"labels/{config['experiment']}").expanduser()
if LABEL["arm"] is not None and LABEL["arm"] not in ARMS:
    raise ConfigError(f"label.arm: '{LABEL['arm']}' is not an arm of selection.arms ({', '.join(ARMS)})")
LABEL_ARM = ARMS[LABEL["arm"] or next(iter(ARMS))]
# BADGE on a learner that reads text: each model writes its last layer of the rows it scores
LABEL_LAST_LAYER = FEATURES != "embeddings" and "grad_embedding" in query_needs(LABEL_ARM)
LABEL_SEED = LABEL["seed"] if LABEL["seed"] is not None else SEEDS[0]
L = f"{OUT}/label"
LABEL_SEPARATOR = label_file_separator(DATASET["label_separator"])  # in a multi-label batch.csv and round<r>.csv
RETURNED = returned_rounds(LABEL_FOLDER)  # {round: the person's file}


def check_returned():
    """Every returned round was offered, from this pool, and its file reads: one-line errors naming the
    file and the row, before any job (bucket_al.label.read_returned)."""
    for r, path in RETURNED.items():
        batch, offered = Path(f"{L}/round{r}/batch.parquet"), Path(f"{L}/round{r}/offered.json")
        if not batch.is_file() or not offered.is_file():
            raise ConfigError(
                f"{path}: round {r} has not been offered ({batch} does not exist); " f"label the open round's batch.csv"
            )
        drawn_from = read_json(offered)["dataset"]
        if drawn_from != DATA_KEY:
            raise ConfigError(
                f"{path}: round {r}'s batch was drawn from the pool {drawn_from}, but the pool is now "
                f"{DATA_KEY}: the pool file (or the dataset block) changed after labelling began; "
                "restore it, or start a new experiment"
            )
        meta = read_json(f"{DATA}/labels.json")
        read_returned(path, read_table(batch), meta["names"], meta["task"] == "multilabel", LABEL_SEPARATOR)


check_returned()


def open_round():
    """The round whose batch the person labels next: after the last returned one (or round 0's model of
    seed labels), else round 0 (round 1 when the pool came with seed labels)."""
    if RETURNED:
        return max(RETURNED) + 1
    return 1 if seeded() else 0


def seeded():
    """Whether the pool came with seed labels (after the data step: a checkpoint)."""
    checkpoints.label_data.get()
    return parquet_rows(f"{DATA}/seed_labels.parquet") > 0


def model_rounds():
    """The rounds with a model: every returned round, and round 0 of the seed labels."""
    return ([0] if seeded() and 0 not in RETURNED else []) + sorted(RETURNED)


def stopped(last):
    """selection.stop fired after round ``last`` (its checkpoint), and label.go_on does not go on."""
    if STOP is None or LABEL["go_on"]:
        return False
    return read_json(checkpoints.label_stop.get(round=last).output[0])["stop"]


def label_targets(wildcards=None):
    """What a labelling run makes: the open round's batch (unless the stop rule fired or selection.rounds
    is reached), and after the first model the report of every round and the latest model's predictions."""
    rounds = model_rounds()
    targets = []
    if rounds:
        targets += [f"{L}/report.md", f"{L}/rounds.csv", f"{L}/predictions.parquet"]
    nxt = open_round()
    if nxt < len(ROUNDS) and not (rounds and stopped(rounds[-1])):
        targets += [f"{L}/round{nxt}/batch.csv", f"{L}/round{nxt}/tasks.json"]
    return targets


def label_batch_inputs(w):
    """Round 0's batch: the pool, the stop set and what the cold start needs. A later round's: the labels
    so far and the scores of round r-1's model, and what the query strategy needs."""
    r = int(w.round)
    inputs = {"pool": f"{DATA}/pool.parquet", "labels": f"{DATA}/labels.json"} | label_stop_set()
    if r == 0:
        for need in cold_start_needs(LABEL_ARM.cold_start):
            inputs |= need_files(need, LABEL_SEED, None)
        return inputs
    prev = f"{L}/round{r - 1}"
    inputs |= {
        "labelled": f"{prev}/labelled.parquet",
        "scores": f"{prev}/scores.parquet",
        "metrics": f"{prev}/metrics.json",
    }
    for need in query_needs(LABEL_ARM):
        inputs |= need_files(need, LABEL_SEED, prev)
    return inputs


def label_stop_set():
    """The label seed's stop set (never offered; every model predicts it)."""
    return {"stop_set": f"{OUT}/stop_set/seed{LABEL_SEED}.parquet"} if STOP_SET else {}


def returned_up_to(r):
    return [q for q in sorted(RETURNED) if q <= int(r)]


def label_model_inputs(w):
    """Round r's model: the pool's features, the seed labels, the stop set, and every returned round up to
    r: its batch (a fact) and the person's file."""
    rounds = returned_up_to(w.round)
    return {
        "features": features("pool"),
        "labels": f"{DATA}/labels.json",
        "seed_labels": f"{DATA}/seed_labels.parquet",
        **label_stop_set(),
        "offered": [f"{L}/round{q}/batch.parquet" for q in rounds],
        "returned": [str(RETURNED[q]) for q in rounds],
    }


def label_report_inputs(w):
    rounds = model_rounds()
    last = f"{L}/round{rounds[-1]}"
    inputs = {
        "metrics": [f"{L}/round{r}/metrics.json" for r in rounds],
        "labelled": f"{last}/labelled.parquet",
        "model": f"{last}/model",
        "features": features("pool"),
        "labels": f"{DATA}/labels.json",
    }
    if STOP_SET:
        inputs["stop"] = [f"{L}/round{r}/stop_set.parquet" for r in rounds]
    return inputs


def label_report_params():
    """What the report says about the next step (read after the checkpoints, hence functions)."""

    def next_round(w):
        nxt, rounds = open_round(), model_rounds()
        return None if nxt >= len(ROUNDS) or stopped(rounds[-1]) else nxt

    return dict(
        next_round=next_round,
        stopped=lambda w: stopped(model_rounds()[-1]),
        batch_csv=lambda w: f"{L}/round{open_round()}/batch.csv",
    )


def print_label_next():
    """onsuccess: what the person does next, in a few lines."""
    report_md = Path(L) / "report.md"
    nxt = open_round()
    batch = Path(f"{L}/round{nxt}/batch.csv")
    if batch.is_file():
        print(f"\nRound {nxt}'s batch is ready: {batch} (Label Studio: {batch.with_name('tasks.json')}).")
        print(f"Fill in its label column and save it as {LABEL_FOLDER}/round{nxt}.csv (row_id,label; blank = skip),")
        print(f"or save Label Studio's JSON export as {LABEL_FOLDER}/round{nxt}.json; then run the same command again.")
    elif report_md.is_file():
        print(f"\nNo new batch: labelling is finished by this run's rule (selection.stop or selection.rounds).")
    if report_md.is_file():
        print(f"Report: {report_md}; predictions for every pool row: {L}/predictions.csv")
