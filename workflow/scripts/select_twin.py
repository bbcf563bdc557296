"""Rule select_twin: the random twin's manifest for round r."""
from bucket_al.io import read_table, write_table
from bucket_al.rows import selectable
from bucket_al.runtime import run_step
from bucket_al.twin import random_twin


def main(smk):
    pool = selectable(read_table(smk.input.pool, columns=["row_id"])["row_id"].to_numpy(),
                      read_table(smk.input.stop_set)["row_id"].to_numpy() if "stop_set" in smk.input.keys() else None)
    write_table(random_twin(pool, smk.params.budgets, int(smk.wildcards.seed)), smk.output[0])


run_step(main, snakemake)  # noqa: F821
