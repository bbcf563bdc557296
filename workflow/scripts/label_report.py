"""Rule label_report: the labelling run's outputs after its latest returned round: a table of every round
(labels, stop-set signals, audit accuracy), predictions of the latest model for every pool row, every label
with its round and source, and a short report (bucket_al.label_round)."""
from bucket_al.io import atomic_path, read_json, read_table, write_table
from bucket_al.label_round import plot_rounds, report_text, round_report
from bucket_al.runtime import run_step


def main(smk):
    import numpy as np
    import pandas as pd

    from bucket_al.learners import load_learner
    from bucket_al.rows import read_features
    from bucket_al.stopping import read_stop_predictions

    i, o, p = smk.input, smk.output, smk.params
    metrics = [read_json(path) for path in i.metrics]
    proba = read_stop_predictions(i.stop) if "stop" in i.keys() else None
    table = round_report(metrics, proba, [tuple(c) for c in p.criteria], tuple(p.stop) if p.stop else None,
                         list(p.budgets))
    with atomic_path(o.rounds) as tmp:
        table.to_csv(tmp, index=False)
    plot_rounds(table, o.plot)
    labelled = read_table(i.labelled)
    names = read_json(i.labels)["names"]
    shown = labelled.assign(label=labelled["label"].map(lambda v: "|".join(v) if isinstance(v, (list, np.ndarray))
                                                        else v))
    with atomic_path(o.labels_csv) as tmp:
        shown.to_csv(tmp, index=False)
    learner = load_learner(i.model)
    row_id, X = read_features(i.features, learner.features)
    probs = learner.predict_proba(X)
    pred = pd.DataFrame({"row_id": row_id})
    if read_json(i.labels).get("task") == "multilabel":
        on = probs >= np.asarray(learner.threshold, dtype=np.float64)
        pred["label"] = ["|".join(n for n, x in zip(names, row) if x) for row in on]
    else:
        pred["label"] = [names[j] for j in probs.argmax(axis=1)]
    for j, n in enumerate(names):
        pred[f"p_{n}"] = probs[:, j].astype(np.float32)
    person = labelled[(labelled["source"] == "person") & ~labelled["skipped"]]
    pred["labelled_by_person"] = pred["row_id"].isin(person["row_id"])
    pred["seed_label"] = pred["row_id"].isin(labelled.loc[labelled["source"] == "seed", "row_id"])
    write_table(pred, o.predictions)
    with atomic_path(o.predictions_csv) as tmp:
        pred.to_csv(tmp, index=False)
    text = report_text(table, labelled=labelled, stop=tuple(p.stop) if p.stop else None, stopped=p.stopped,
                       next_round=p.next_round, batch_csv=p.batch_csv, folder=p.folder, model=str(i.model))
    with atomic_path(o.report) as tmp:
        open(tmp, "w").write(text)


run_step(main, snakemake)  # noqa: F821
