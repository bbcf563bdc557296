rule select_cold_start:
    """Round 0 of the arms that start with cold start {cold} (and its parameters): computed once per
    seed and shared by all of them (the random cold start is the random twin's own round 0)."""
    input:
        unpack(cold_start_inputs),
        unpack(stop_set),
    output:
        f"{OUT}/cold_start/{{cold}}/seed{{seed}}/round0/manifest.parquet",
    params:
        code=lambda w: package_code("select_cold_start.py", (COLD_STARTS, COLD_STARTS_USED[w.cold].cold_start)),
        cold=lambda w: COLD_STARTS_USED[w.cold].cold_start,
        cold_params=lambda w: COLD_STARTS_USED[w.cold].cold_start_params,
        budget=lambda w: plan(0)[0],
        n=config["selection"]["n"],
        pick=config["bucket"]["pick"],
    log:
        f"{OUT}/logs/cold_start/{{cold}}/seed{{seed}}/select_round0.log",
    benchmark:
        f"{OUT}/benchmarks/cold_start/{{cold}}/seed{{seed}}/round0/select.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/select_cold_start.py"


rule select_round:
    """Round r >= 1 of an arm: its query strategy picks m*k rows from what round r-1's model scored."""
    input:
        unpack(query_inputs),
    output:
        f"{OUT}/{{arm}}/seed{{seed}}/round{{round}}/manifest.parquet",
    wildcard_constraints:
        round=r"[1-9]\d*",
    params:
        code=lambda w: package_code("select_round.py", (QUERIES, ARMS[w.arm].query)),
        arm=lambda w: ARMS[w.arm].spec(),
        m=config["selection"]["m"],
        k=config["bucket"]["k"],
        settings=query_settings,
    log:
        f"{OUT}/logs/{{arm}}/seed{{seed}}/select_round{{round}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{arm}}/seed{{seed}}/round{{round}}/select.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/select_round.py"


rule select_twin:
    """The random twin of round r: as many rows as every arm has, drawn uniformly, nested across
    rounds (one seeded permutation of the pool, cut at each round's budget), never from the stop set.
    Depends on the config, the pool and the stop set only, never on an arm's jobs. One job per round,
    so that adding a round leaves the earlier rounds' manifests, and their models, as they are."""
    input:
        unpack(stop_set),
        pool=f"{DATA}/pool.parquet",
    output:
        f"{OUT}/random/seed{{seed}}/round{{round}}/manifest.parquet",
    params:
        code=package_code("select_twin.py"),
        budgets=lambda w: plan(w.round),
    log:
        f"{OUT}/logs/random/seed{{seed}}/select_round{{round}}.log",
    benchmark:
        f"{OUT}/benchmarks/random/seed{{seed}}/round{{round}}/select.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/select_twin.py"
