rule stop_set:
    """The seed's stop set: stopping.stop_set pool rows, drawn once per seed, that no arm and no random
    twin ever labels; every model predicts them for the stopping criteria."""
    input:
        pool=f"{DATA}/pool.parquet",
    output:
        f"{OUT}/stop_set/seed{{seed}}.parquet",
    params:
        code=package_code("stop_set.py"),
        size=STOP_SET,
        seed=lambda w: int(w.seed),
    priority: CHAIN_PRIORITY  # the seed's cold starts and rounds predict it
    log:
        f"{OUT}/logs/stop_set/seed{{seed}}.log",
    benchmark:
        f"{OUT}/benchmarks/stop_set/seed{{seed}}.tsv"
    conda:
        "../envs/training.yaml"
    script:
        "../workflow/scripts/stop_set.py"
