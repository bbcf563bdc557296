"""Rule pick_map: each arm's picks (first seed, last round) on a 2-D map of the reduced pool."""
from bucket_al.io import read_table, read_vectors
from bucket_al.picks import plot_pick_map
from bucket_al.runtime import run_step


def main(smk):
    row_id, X = read_vectors(smk.input.reduced)
    manifests = {arm: read_table(smk.input[f"manifest_{i}"]) for i, arm in enumerate(smk.params.arms)}
    plot_pick_map(row_id, X, manifests, smk.output[0], smk.params.seed)


run_step(main, snakemake)  # noqa: F821
