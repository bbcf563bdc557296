"""Rule reduce: PCA (or UMAP) of the pool's embeddings."""
from bucket_al.io import read_vectors, write_vector_map, write_vectors
from bucket_al.reduce import reduce
from bucket_al.runtime import run_step


def main(smk):
    row_id, X = read_vectors(smk.input[0])
    reduced = reduce(X, smk.params.method, smk.params.dim, seed=smk.params.seed)
    write_vectors(row_id, reduced, smk.output.parquet)
    write_vector_map(row_id, reduced, smk.output.arrow)


run_step(main, snakemake)  # noqa: F821
