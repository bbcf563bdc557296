"""Rule reduce: PCA (or UMAP) of the pool's embeddings."""
from bucket_al.io import read_vectors, write_vectors
from bucket_al.reduce import reduce
from bucket_al.runtime import run_step


def main(smk):
    row_id, X = read_vectors(smk.input[0])
    write_vectors(row_id, reduce(X, smk.params.method, smk.params.dim, seed=smk.params.seed), smk.output[0])


run_step(main, snakemake)  # noqa: F821
