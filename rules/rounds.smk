# One job per round (bucket_al.model): select the round's rows (its manifest.parquet), train the
# learner on them, evaluate it on the eval split (metrics.json), predict the seed's stop set
# (stop_set.parquet) and, where a later round selects from it, score the pool (scores.parquet).
# Three kinds of round, one rule each: a cold start's round 0 (shared by the arms that start alike),
# an arm's round r >= 1 (its query strategy, from round r-1's scores), and the random twin's round r.
# Round r's selection depends only on round r-1's scores (or, for the twin, on the config, the pool
# and the stop set), so rounds and twins stay parallel DAG branches, each cached on its own.
# Which rounds write scores, and the input functions: rules/common.smk.


rule cold_start:
    """Round 0 of the arms that start with cold start {cold} (and its parameters), computed once per
    seed and shared by all of them (the random cold start is the random twin's own round 0): pick
    n*k rows, then train, evaluate and score as every round does."""
    input:
        unpack(cold_start_inputs),
    output:
        **round_outputs(f"{OUT}/cold_start/{{cold}}/seed{{seed}}/round0", scored=LAST > 0),
    params:
        **learner_params(),
        pool_sample=config["score"]["pool_sample"],
        code=lambda w: package_code(
            "cold_start.py", (COLD_STARTS, COLD_STARTS_USED[w.cold].cold_start), (LEARNERS, LEARNER)
        ),
        unit=lambda w: f"cold_start/{w.cold}",
        round=0,
        cold=lambda w: COLD_STARTS_USED[w.cold].cold_start,
        cold_params=lambda w: COLD_STARTS_USED[w.cold].cold_start_params,
        budget=lambda w: budget_plan(0)[0],
        n=config["selection"]["n"],
        pick=config["bucket"]["pick"],
    threads: config["threads"]["train"]
    priority: CHAIN_PRIORITY
    resources:
        **round_resources(),
    log:
        f"{OUT}/logs/cold_start/{{cold}}/seed{{seed}}/round0/round.log",
    benchmark:
        f"{OUT}/benchmarks/cold_start/{{cold}}/seed{{seed}}/round0/round.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/cold_start.py"


rule round:
    """Round r >= 1 of an arm, when a later round selects from it: the arm's query strategy adds m*k
    rows to round r-1's manifest from what round r-1's model scored; then train, evaluate, score."""
    input:
        unpack(round_inputs),
    output:
        **round_outputs(f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}", scored=True),
    wildcard_constraints:
        round=one_of(map(str, ROUNDS[1:-1])),
    params:
        **learner_params(),
        pool_sample=config["score"]["pool_sample"],
        code=lambda w: package_code("round.py", (QUERIES, ARMS[w.arm].query), (LEARNERS, LEARNER)),
        unit=lambda w: w.arm,
        round=lambda w: int(w.round),
        arm=lambda w: ARMS[w.arm].spec(),
        m=config["selection"]["m"],
        k=config["bucket"]["k"],
        settings=query_settings,
        # the sample the round selected from, recorded in metrics.json
        score_pool_sample=config["score"]["pool_sample"],
    threads: config["threads"]["train"]
    priority: CHAIN_PRIORITY
    resources:
        **round_resources(arm_round_kind),
    log:
        f"{OUT}/logs/{{arm}}/seed{{seed}}/round{{round}}/round.log",
    benchmark:
        f"{OUT}/benchmarks/{{arm}}/seed{{seed}}/round{{round}}/round.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/round.py"


use rule round as round_last with:
    """An arm's last round (selection.rounds - 1): as rule round, without scoring the pool."""
    output:
        **round_outputs(f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}", scored=False),
    wildcard_constraints:
        round=one_of([str(LAST)] if LAST > 0 else []),


rule twin:
    """The random twin of round r: as many rows as every arm has, drawn uniformly, nested across rounds
    (one seeded permutation of the pool, cut at each round's budget), never from the stop set; then
    train, evaluate, predict the stop set. Its rows depend on the config, the pool and the stop set
    only, never on an arm's jobs, so adding a round leaves the earlier rounds' twins as they are."""
    input:
        unpack(twin_inputs),
    output:
        **round_outputs(f"{OUT}/random/seed{{seed}}/round{{round}}", scored=False),
    wildcard_constraints:
        round=one_of([str(r) for r in ROUNDS if r not in TWIN_SCORED_ROUNDS]),
    params:
        **learner_params(),
        pool_sample=config["score"]["pool_sample"],
        code=package_code("twin.py", (LEARNERS, LEARNER)),
        unit="random",
        round=lambda w: int(w.round),
        budgets=lambda w: budget_plan(w.round),
    threads: config["threads"]["train"]
    resources:
        **round_resources("twin"),
    log:
        f"{OUT}/logs/random/seed{{seed}}/round{{round}}/round.log",
    benchmark:
        f"{OUT}/benchmarks/random/seed{{seed}}/round{{round}}/round.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/twin.py"


use rule twin as twin_scored with:
    """The random twin's round 0 when it is also the random cold start of an arm: as rule twin, and
    it scores the pool for that arm's round 1."""
    output:
        **round_outputs(f"{OUT}/random/seed{{seed}}/round{{round}}", scored=True),
    wildcard_constraints:
        round=one_of(map(str, TWIN_SCORED_ROUNDS)),
    priority: CHAIN_PRIORITY  # an arm's round 1 selects from its scores
