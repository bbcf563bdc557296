"""Rule score: entropy of the round's model on the rest of the pool."""
from bucket_al.io import read_json, read_table, read_vectors, write_table
from bucket_al.learners import load_learner
from bucket_al.runtime import run_step
from bucket_al.score import score_rest


def main(smk):
    row_id, X = read_vectors(smk.input.embeddings)
    table = score_rest(load_learner(smk.input.model), row_id, X, read_table(smk.input.manifest),
                       read_table(smk.input.buckets), read_json(smk.input.labels)["names"])
    write_table(table, smk.output[0])


run_step(main, snakemake)  # noqa: F821
