"""Rule score: class probabilities and uncertainty of the round's model on the pool (the labelled
rows and the rest, or a seeded sample of the rest), and its last layer where an arm needs it."""
from bucket_al.io import read_json, read_table, write_table, write_vectors
from bucket_al.learners import load_learner
from bucket_al.rows import read_features
from bucket_al.runtime import run_step
from bucket_al.score import score_pool
from bucket_al.seeds import round_seed


def main(smk):
    learner = load_learner(smk.input.model)
    row_id, X = read_features(smk.input.features, learner.features)
    want_last_layer = "last_layer" in smk.output.keys()
    stop_set = read_table(smk.input.stop_set)["row_id"].to_numpy() if "stop_set" in smk.input.keys() else None
    table, hidden = score_pool(learner, row_id, X, read_table(smk.input.manifest), read_json(smk.input.labels)["names"],
                               pool_sample=smk.params.pool_sample, seed=round_seed(smk.params.seed, smk.params.round),
                               last_layer=want_last_layer, exclude=stop_set)
    write_table(table, smk.output.scores)
    if want_last_layer:
        write_vectors(table["row_id"].to_numpy(), hidden, smk.output.last_layer)


run_step(main, snakemake)  # noqa: F821
