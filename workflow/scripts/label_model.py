"""Rule label_model: round r's model of the labelling mode, trained on every label returned up to round r
(bucket_al.label_round.run_label_model)."""
from bucket_al.label_round import run_label_model
from bucket_al.runtime import run_step


def main(smk):
    i, o, p = smk.input, smk.output, smk.params
    run_label_model({
        "labels": i.labels, "seed_labels": i.seed_labels, "features": i.features,
        "stop_set": i.stop_set if "stop_set" in i.keys() else None,
        "offered": dict(zip(p.rounds, i.offered)), "returned": dict(zip(p.rounds, i.returned)),
        "learner": p.learner, "seed": p.seed, "round": int(smk.wildcards.round), "separator": p.separator,
        "multilabel": dict(p.multilabel), "pool_sample": p.pool_sample,
        "labelled": o.labelled, "model": o.model, "stop_predictions": o.stop if "stop" in o.keys() else None,
        "scores": o.scores, "last_layer": o.last_layer if "last_layer" in o.keys() else None,
        "metrics": o.metrics})


run_step(main, snakemake)  # noqa: F821
