"""Rule embed_merge: one role's embedding shards merged into the embed step's files (bucket_al.embed)."""
from bucket_al.embed import merge_shards
from bucket_al.io import read_table, write_vector_map, write_vectors
from bucket_al.runtime import run_step


def main(smk):
    row_id = read_table(smk.input.rows, columns=["row_id"])["row_id"].to_numpy()
    X = merge_shards(smk.input.shards, len(row_id))
    write_vectors(row_id, X, smk.output.parquet)
    write_vector_map(row_id, X, smk.output.arrow)


run_step(main, snakemake)  # noqa: F821
