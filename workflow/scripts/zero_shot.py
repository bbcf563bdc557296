"""Rule zero_shot: the zero-shot model's metrics on the eval split (the 0-label point of every curve)
and its scores of the pool (for the zero_shot cold start)."""
from bucket_al.io import read_json, read_table, read_vectors, write_json, write_table
from bucket_al.metrics import evaluate
from bucket_al.rows import aligned, label_array
from bucket_al.runtime import run_step
from bucket_al.score import scores_table
from bucket_al.zero_shot import zero_shot_proba


def main(smk):
    p, labels = smk.params, read_json(smk.input.labels)
    names, multilabel = labels["names"], labels.get("task") == "multilabel"
    _, label_vectors = read_vectors(smk.input.label_vectors)

    def proba(X):
        return zero_shot_proba(X, label_vectors, multilabel, p.temperature, p.threshold)

    eval_ids, eval_X = read_vectors(smk.input.eval_features)
    eval_ = read_table(smk.input.eval, columns=["row_id", "label"])
    eval_X = eval_X[aligned(eval_ids, eval_["row_id"].to_numpy(), smk.input.eval_features)]
    row_id, X = read_vectors(smk.input.features)  # every pool row (memory-mapped)
    threshold = 0.5 if multilabel else None  # the sigmoid is 0.5 at zero_shot.threshold
    metrics = evaluate(label_array(eval_["label"], len(names), multilabel), proba(eval_X), names, 0, len(row_id),
                       multilabel=multilabel, threshold=threshold)
    write_json({"unit": "zero_shot", "seed": None, "round": None, **metrics, "texts": read_json(smk.input.texts)["texts"],
                "temperature": p.temperature, **({"similarity_threshold": p.threshold} if multilabel else {})},
               smk.output.metrics)
    write_table(scores_table(row_id, proba(X[:]), [False] * len(row_id), names, threshold), smk.output.scores)


run_step(main, snakemake)  # noqa: F821
