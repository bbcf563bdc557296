"""Rule select_twin: the random twin's manifest for round r."""
from bucket_al.io import read_table, write_table
from bucket_al.runtime import run_step
from bucket_al.twin import random_twin


def main(smk):
    pool = read_table(smk.input.pool, columns=["row_id"])
    write_table(random_twin(pool["row_id"].to_numpy(), smk.params.budgets, int(smk.wildcards.seed)), smk.output[0])


run_step(main, snakemake)  # noqa: F821
