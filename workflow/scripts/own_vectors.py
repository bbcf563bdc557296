"""Rule own_vectors: a role's rows' own vectors (encoder.vectors), checked, in the embed step's files."""
from pathlib import Path

from bucket_al.io import read_table, write_vector_map, write_vectors
from bucket_al.runtime import run_step
from bucket_al.vectors import vectors_for


def main(smk):
    rows = read_table(smk.input.rows, columns=["row_id", "text"])
    X = vectors_for(rows, Path(smk.input.vectors), smk.params.key, source_rows=smk.params.source_rows,
                    lowercase=smk.params.lowercase)
    write_vectors(rows["row_id"].to_numpy(), X, smk.output.parquet)
    write_vector_map(rows["row_id"].to_numpy(), X, smk.output.arrow)


run_step(main, snakemake)  # noqa: F821
