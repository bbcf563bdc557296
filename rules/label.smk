# Labelling mode's rules (rules/label_common.smk says how rounds go; bucket_al.label_round does them).


checkpoint label_data:
    """The person's pool (row_id, text), the rows that came with a label (seed labels) and the label set."""
    input:
        local_dataset_files,
    output:
        pool=f"{DATA}/pool.parquet",
        seed_labels=f"{DATA}/seed_labels.parquet",
        labels=f"{DATA}/labels.json",
    params:
        code=package_code("label_data.py"),
        dataset=DATA_CONFIG,
        names=LABEL["names"],
    log:
        f"{DATA}/logs/label_data.log",
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/label_data.py"


rule label_batch:
    """The open round's batch: round 0 by the arm's cold start (with the audit rows), round r by its query
    strategy on round r-1's model; batch.csv and Label Studio's tasks.json. Only the open round: a round
    whose labels came back is never selected again."""
    input:
        unpack(label_batch_inputs),
    output:
        batch=f"{L}/round{{round}}/batch.parquet",
        csv=f"{L}/round{{round}}/batch.csv",
        tasks=f"{L}/round{{round}}/tasks.json",
        label_config=f"{L}/round{{round}}/label_config.xml",
        offered=f"{L}/round{{round}}/offered.json",
    wildcard_constraints:
        round=f"(?!(?:{'|'.join(map(str, RETURNED))})/)\\d+" if RETURNED else r"\d+",
    params:
        code=package_code("label_batch.py", (COLD_STARTS, LABEL_ARM.cold_start), (QUERIES, LABEL_ARM.query)),
        seed=LABEL_SEED,
        arm_name=LABEL_ARM.name,
        arm=LABEL_ARM.spec(),
        cold=LABEL_ARM.cold_start,
        cold_params=LABEL_ARM.cold_start_params,
        budget=budget_plan(0)[0],
        n=config["selection"]["n"],
        m=config["selection"]["m"],
        k=config["bucket"]["k"],
        pick=config["bucket"]["pick"],
        audit=LABEL["audit"],
        settings={key.split(".")[-1]: config_value(key) for key in query_settings_of(LABEL_ARM)},
        separator=LABEL_SEPARATOR,
        dataset_key=DATA_KEY,
    log:
        f"{L}/logs/round{{round}}_batch.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/label_batch.py"


rule label_model:
    """Round r's model: trained on every label returned up to round r (and the seed labels), it predicts
    the stop set and scores the pool for the next batch; metrics.json holds the audit accuracy."""
    input:
        unpack(label_model_inputs),
    output:
        **({"stop": f"{L}/round{{round}}/stop_set.parquet"} if STOP_SET else {}),
        **({"last_layer": f"{L}/round{{round}}/last_layer.parquet"} if LABEL_LAST_LAYER else {}),
        labelled=f"{L}/round{{round}}/labelled.parquet",
        model=directory(f"{L}/round{{round}}/model"),
        scores=f"{L}/round{{round}}/scores.parquet",
        metrics=f"{L}/round{{round}}/metrics.json",
    wildcard_constraints:
        round=one_of(map(str, sorted({0, *RETURNED}))),
    params:
        **learner_params(),
        code=package_code("label_model.py", (LEARNERS, LEARNER)),
        rounds=lambda w: returned_up_to(w.round),
        # keyed by content: a label file edited in place (whatever its mtime) re-trains from its round on
        returned_digests=lambda w: [file_digest(RETURNED[q]) for q in returned_up_to(w.round)],
        seed=LABEL_SEED,
        separator=LABEL_SEPARATOR,
        pool_sample=config["score"]["pool_sample"],
    threads: config["threads"]["train"]
    resources:
        **round_resources(),
    log:
        f"{L}/logs/round{{round}}_model.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/label_model.py"


checkpoint label_stop:
    """selection.stop after returned round r: its criterion over the stop-set predictions of rounds 0..r."""
    input:
        **(
            {"predictions": lambda w: [f"{L}/round{r}/stop_set.parquet" for r in model_rounds() if r <= int(w.round)]}
            if STOP_SET
            else {}
        ),
        metrics=lambda w: [f"{L}/round{r}/metrics.json" for r in model_rounds() if r <= int(w.round)],
    output:
        f"{L}/stop/round{{round}}.json",
    params:
        code=package_code("stop_check.py", *([(CRITERIA, STOP[0])] if STOP else [])),
        stop=STOP,
        budgets=budget_plan(ROUNDS[-1]),
        round=lambda w: int(w.round),
    log:
        f"{L}/logs/stop_round{{round}}.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/stop_check.py"


rule label_report:
    """After the latest returned round: every round's labels, stop-set signals and audit accuracy
    (rounds.csv, report.md), every label with its round and source, the latest model's predictions."""
    input:
        unpack(label_report_inputs),
    output:
        rounds=f"{L}/rounds.csv",
        plot=f"{L}/rounds.png",
        report=f"{L}/report.md",
        labels_csv=f"{L}/labels.csv",
        predictions=f"{L}/predictions.parquet",
        predictions_csv=f"{L}/predictions.csv",
    params:
        **label_report_params(),
        code=package_code("label_report.py", *((CRITERIA, name) for name, _ in HINDSIGHT)),
        criteria=CRITERIA_USED,
        stop=STOP,
        budgets=budget_plan(ROUNDS[-1]),
        folder=str(LABEL_FOLDER),
    log:
        f"{L}/logs/report.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/label_report.py"


rule label_zero_shot:
    """The zero-shot model's scores of the pool (the zero_shot cold start's round 0): each row's similarity
    to the embedded label names or descriptions. The labelling mode has no eval split, so no metrics."""
    input:
        label_vectors=f"{ZERO_SHOT_EMB}/labels.arrow",
        features=f"{EMB}/pool.arrow",
        labels=f"{DATA}/labels.json",
    output:
        scores=f"{OUT}/zero_shot/scores.parquet",
    params:
        code=package_code("label_zero_shot.py"),
        temperature=config["zero_shot"]["temperature"],
        threshold=config["zero_shot"]["threshold"],
    log:
        f"{OUT}/logs/zero_shot.log",
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/label_zero_shot.py"
