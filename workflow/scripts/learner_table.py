"""Rule learner_table: learner_table.csv and .txt, every learner side by side (bucket_al.compare)."""
import pandas as pd

from bucket_al.aggregate import write_csv
from bucket_al.compare import cpu_seconds, learner_table, render_learner_table
from bucket_al.io import atomic_path, read_json
from bucket_al.runtime import run_step


def main(smk):
    p = smk.params
    records = []
    for m in p.models:
        metrics = read_json(m["metrics"])
        records.append({"learner": m["learner"], "arm": m["arm"], "seed": m["seed"], "round": m["round"],
                        "n_labeled": metrics["n_labeled"], "accuracy": metrics["accuracy"],
                        "micro_f1": metrics["micro_f1"], "macro_f1": metrics["macro_f1"],
                        "cpu_s": cpu_seconds(m["benchmark"])})
    table = learner_table(pd.DataFrame(records), p.metric, p.full)
    write_csv(table, smk.output.table)
    with atomic_path(smk.output.text) as tmp:
        tmp.write_text(render_learner_table(table, p.metric, list(p.learners), p.full))


run_step(main, snakemake)  # noqa: F821
