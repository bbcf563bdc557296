"""Rule stop_set: the seed's stop set (row ids), drawn from the pool, never labelled."""
import pandas as pd

from bucket_al.io import read_table, write_table
from bucket_al.runtime import run_step
from bucket_al.stop_set import draw_stop_set


def main(smk):
    pool = read_table(smk.input.pool, columns=["row_id"])["row_id"].to_numpy()
    write_table(pd.DataFrame({"row_id": draw_stop_set(pool, smk.params.size, smk.params.seed)}), smk.output[0])


run_step(main, snakemake)  # noqa: F821
