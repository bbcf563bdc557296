"""Rule bucket: seeded k-means assignments of the reduced pool."""
from bucket_al.bucket import assign_buckets
from bucket_al.io import read_vectors, write_table
from bucket_al.runtime import run_step


def main(smk):
    row_id, X = read_vectors(smk.input[0])
    buckets = assign_buckets(row_id, X, smk.params.k, int(smk.wildcards.seed), smk.params.n_init,
                             smk.params.kmeans_threads, smk.params.fit_sample)
    write_table(buckets, smk.output[0])


run_step(main, snakemake)  # noqa: F821
