"""Rule label_zero_shot: the zero-shot model's scores of the pool in the labelling mode (bucket_al.zero_shot)."""
from bucket_al.io import read_json, read_vectors, write_table
from bucket_al.runtime import run_step
from bucket_al.score import scores_table
from bucket_al.zero_shot import zero_shot_proba


def main(smk):
    p, labels = smk.params, read_json(smk.input.labels)
    multilabel = labels.get("task") == "multilabel"
    _, label_vectors = read_vectors(smk.input.label_vectors)
    row_id, X = read_vectors(smk.input.features)
    proba = zero_shot_proba(X[:], label_vectors, multilabel, p.temperature, p.threshold)
    write_table(scores_table(row_id, proba, [False] * len(row_id), labels["names"], 0.5 if multilabel else None),
                smk.output.scores)


run_step(main, snakemake)  # noqa: F821
