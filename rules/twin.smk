rule select_twin:
    """The random twin of round r: as many rows as every arm has, drawn uniformly, nested
    across rounds, never from the stop set. Depends on the config, the pool and the stop set only,
    never on an arm's jobs."""
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
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/select_twin.py"
