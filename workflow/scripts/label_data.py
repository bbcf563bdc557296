"""Checkpoint label_data: the labelling mode's pool (row_id, text), its seed labels and the label set."""
from bucket_al.io import write_json, write_table
from bucket_al.label_data import prepare_label_pool
from bucket_al.runtime import run_step


def main(smk):
    pool, seed, labels = prepare_label_pool(smk.params.dataset, list(smk.params.names))
    write_table(pool, smk.output.pool)
    write_table(seed.astype({"label": object}), smk.output.seed_labels)
    write_json(labels, smk.output.labels)


run_step(main, snakemake)  # noqa: F821
