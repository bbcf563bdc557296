"""Rule score: entropy of the round's model on the rest of the pool (or a seeded sample of it)."""
from bucket_al.io import read_json, read_table, write_table
from bucket_al.learners import load_learner
from bucket_al.rows import read_features
from bucket_al.runtime import run_step
from bucket_al.score import score_rest
from bucket_al.select import round_seed


def main(smk):
    learner = load_learner(smk.input.model)
    row_id, X = read_features(smk.input.features, learner.features)
    table = score_rest(learner, row_id, X, read_table(smk.input.manifest), read_table(smk.input.buckets),
                       read_json(smk.input.labels)["names"], pool_sample=smk.params.pool_sample,
                       seed=round_seed(smk.params.seed, smk.params.round))
    write_table(table, smk.output[0])


run_step(main, snakemake)  # noqa: F821
