"""Rules train and ceiling: fit the learner on a manifest's rows (or the whole pool) and save it."""
from bucket_al.io import read_json, read_table
from bucket_al.learners import make_learner
from bucket_al.rows import read_features, training_set
from bucket_al.runtime import run_step


def main(smk):
    cfg = smk.params.learner
    names = read_json(smk.input.labels)["names"]
    learner = make_learner(cfg["name"], names, cfg["params"], seed=int(smk.wildcards.seed))
    row_id, X = read_features(smk.input.features, learner.features)
    labels = read_table(smk.input.pool, columns=["row_id", "label"])
    manifest = read_table(smk.input.manifest) if "manifest" in smk.input.keys() else None
    X_train, y_train = training_set(row_id, X, labels, manifest)
    learner.fit(X_train, y_train).save(smk.output[0])


run_step(main, snakemake)  # noqa: F821
