"""Rule data: load, check and clean the pool and eval splits."""
from bucket_al.data import prepare
from bucket_al.io import write_json, write_table
from bucket_al.runtime import run_step


def main(smk):
    pool, eval_, labels = prepare(smk.params.dataset)
    write_table(pool, smk.output.pool)
    write_table(eval_, smk.output.eval)
    write_json(labels, smk.output.labels)


run_step(main, snakemake)  # noqa: F821 (injected by Snakemake)
