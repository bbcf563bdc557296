"""Rules twin and twin_scored: the random twin's round r, in one process: draw its rows (bucket_al.twin),
then train, evaluate, predict the stop set and, for round 0 of a random cold start, score the pool."""
from bucket_al.io import read_table, write_table
from bucket_al.model import job_files, run_model
from bucket_al.rows import selectable
from bucket_al.runtime import run_step
from bucket_al.twin import random_twin


def main(smk):
    i = smk.input
    pool = selectable(read_table(i.pool, columns=["row_id"])["row_id"].to_numpy(),
                      read_table(i.stop_set)["row_id"].to_numpy() if "stop_set" in i.keys() else None)
    write_table(random_twin(pool, smk.params.budgets, int(smk.wildcards.seed)), smk.output.manifest)
    run_model(job_files(smk))


run_step(main, snakemake)  # noqa: F821
