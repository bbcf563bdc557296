"""Rule select_cold_start: round 0's manifest, n rows per bucket."""
from bucket_al.io import read_table, write_table
from bucket_al.runtime import run_step
from bucket_al.select import select_cold_start


def main(smk):
    buckets = read_table(smk.input.buckets)
    p = smk.params
    write_table(select_cold_start(buckets, p.n, p.budget, int(smk.wildcards.seed), p.pick), smk.output[0])


run_step(main, snakemake)  # noqa: F821
