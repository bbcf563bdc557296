"""Rule stop_set_features: the learner's features (embeddings or text) of the seed's stop set rows."""
from bucket_al.io import read_table
from bucket_al.rows import aligned, read_features, write_features
from bucket_al.runtime import run_step


def main(smk):
    ids = read_table(smk.input.stop_set)["row_id"].to_numpy()
    row_id, X = read_features(smk.input.features, smk.params.kind)
    write_features(ids, X[aligned(row_id, ids, smk.input.features)], smk.params.kind, smk.output[0])


run_step(main, snakemake)  # noqa: F821
