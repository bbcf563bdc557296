"""Labelling mode's rounds: the batch a person labels, and the model trained on what came back.

The arm's own steps run as in the experiment, on the same rows, seeds and files (bucket_al.rounds,
bucket_al.model, bucket_al.score): round 0's batch is the arm's cold start, round r's is its query
strategy on round r-1's model's scores, and round r's model trains on every label returned up to
round r, in the experiment's manifest order. Only where the labels come from differs, so with every
offered row labelled, as in the experiment, the rows and the models are the experiment's
(tests/test_label_workflow.py).

Three kinds of rows leave the experiment's path: a skipped row (a blank label, or a row of the batch
missing from the returned file) is never trained on and never offered again; an audit row (``label.audit``:
uniform random rows offered once in round 0) is never trained on and never selected, and measures
accuracy honestly; a seed label (a pool row that came with a label) is round 0's training data.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .rows import manifest as manifest_of
from .rows import selectable

log = logging.getLogger(__name__)

AUDIT_STREAM = 3  # the audit sample's random stream ([seed, 3]), apart from the twin's (1) and the stop set's (2)


def draw_audit(pool_ids: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``size`` uniform random pool rows (sorted), from the rows an arm may label."""
    from .errors import ConfigError

    ids = np.sort(np.asarray(pool_ids, dtype=np.int64))
    if size > len(ids):
        raise ConfigError(f"label.audit: {size} rows but only {len(ids)} pool rows are outside the stop set")
    return np.sort(np.random.default_rng([seed, AUDIT_STREAM]).choice(ids, size=size, replace=False))


def first_batch(pool_ids, stop_ids, *, cold: str, cold_params: dict, budget: int, seed: int, n: int, pick: str,
                audit: int, buckets=None, reduced=None, zero_shot=None) -> pd.DataFrame:
    """Round 0's batch: the arm's cold start (bucket_al.rounds.cold_start_round) on the pool less the stop
    set and the audit rows, and the audit rows (``audit`` True). Columns: row_id, round, audit."""
    from .rounds import cold_start_round

    candidates = selectable(pool_ids, stop_ids)
    audit_ids = draw_audit(candidates, audit, seed) if audit else np.array([], dtype=np.int64)
    candidates = np.setdiff1d(candidates, audit_ids)
    picked = cold_start_round(cold, candidates, budget, seed, n=n, pick=pick, params=cold_params, buckets=buckets,
                              reduced=reduced, zero_shot=zero_shot)
    picked["audit"] = False
    audited = pd.DataFrame({"row_id": audit_ids, "round": 0, "audit": True})
    return pd.concat([picked, audited], ignore_index=True)


def next_batch(spec: dict, labelled: pd.DataFrame, scores: pd.DataFrame, *, m: int, k: int, round_: int, seed: int,
               settings: dict, names: list[str], threshold=None, buckets=None, separator: str = "|",
               **vectors) -> pd.DataFrame:
    """Round ``round_``'s batch: the arm's query strategy (bucket_al.rounds.query_round) on the scores of
    round ``round_ - 1``'s model, which trained on the trainable rows of ``labelled``; with that model's
    suggestion for each row (its most likely label, or for a multi-label model the labels at or above
    ``threshold``, ``separator`` between them) and the suggestion's probability. Columns: row_id, round, audit, suggestion, probability."""
    from .rounds import query_round

    previous = trainable(labelled)[["row_id", "round"]]
    chosen = query_round(spec, previous, scores, m=m, k=k, round_=round_, seed=seed, settings=settings,
                         buckets=buckets, **vectors)
    batch = chosen[chosen["round"] == round_].reset_index(drop=True)
    batch["audit"] = False
    proba = scores.set_index("row_id").loc[batch["row_id"], [f"p_{n}" for n in names]].to_numpy(np.float64)
    if threshold is None:
        best = proba.argmax(axis=1)
        batch["suggestion"] = [names[j] for j in best]
        batch["probability"] = proba[np.arange(len(best)), best]
    else:
        on = proba >= np.asarray(threshold, dtype=np.float64)
        batch["suggestion"] = [separator.join(n for n, o in zip(names, row) if o) for row in on]
        batch["probability"] = np.where(on, proba, 1 - proba).min(axis=1)  # the least sure of its decisions
    return batch


def labelled_table(seed_labels: pd.DataFrame, offered: dict[int, pd.DataFrame], returned: dict[int, pd.DataFrame]
                   ) -> pd.DataFrame:
    """Every label so far: ``row_id``, ``label`` (a name, or a list of names), ``round``, ``source`` (seed,
    person), ``audit``, ``skipped``; seed labels are round 0's. ``offered``: each returned round's batch;
    ``returned``: what came back for it (bucket_al.label.read_returned). A row of a batch that is missing
    from its file counts as skipped."""
    parts = []
    if len(seed_labels):
        parts.append(pd.DataFrame({"row_id": seed_labels["row_id"].to_numpy(np.int64), "label": seed_labels["label"],
                                   "round": 0, "source": "seed", "audit": False, "skipped": False}))
    for r, batch in sorted(offered.items()):
        got = batch[["row_id", "audit"]].merge(returned[r], on="row_id", how="left")
        missing = got["skipped"].isna()
        if missing.any():
            log.warning("round %d: %d rows of the batch are not in the returned file: skipped", r, int(missing.sum()))
        got["skipped"] = got["skipped"].fillna(True).astype(bool)
        got["label"] = got["label"].where(~got["skipped"], None)
        parts.append(got.assign(round=r, source="person")[["row_id", "label", "round", "source", "audit", "skipped"]])
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["row_id", "label", "round", "source", "audit", "skipped"])
    twice = table["row_id"][table["row_id"].duplicated()]
    if len(twice):
        raise AssertionError(f"row {int(twice.iloc[0])} labelled in two rounds")  # offered once: a bug, not bad input
    return table.sort_values(["round", "row_id"], kind="stable", ignore_index=True)


def trainable(labelled: pd.DataFrame) -> pd.DataFrame:
    """The rows a model trains on: labelled, not skipped, not audit; in manifest order (round, row id)."""
    rows = labelled[~labelled["skipped"].astype(bool) & ~labelled["audit"].astype(bool)]
    ordered = manifest_of(rows["row_id"].to_numpy(), rows["round"].to_numpy())
    return ordered.merge(rows, on=["row_id", "round"], how="left")


def never_offered(pool_ids, labelled: pd.DataFrame, stop_ids=None) -> np.ndarray:
    """The pool rows nobody has labelled, sorted: what a learner that reads the pool (self-training) may
    pseudo-label. Not in ``labelled`` (a seed label, or a row offered in a returned round: a skipped or
    audit row stays out of training), not in the stop set. With every offered row labelled, the
    experiment's (the pool less the manifest and the stop set: bucket_al.rows.unlabelled_rows)."""
    taken = np.union1d(labelled["row_id"].to_numpy(np.int64), stop_ids if stop_ids is not None else [])
    return np.setdiff1d(np.asarray(pool_ids, dtype=np.int64), taken.astype(np.int64))


def label_ids(labels: pd.Series, names: list[str], multilabel: bool) -> pd.Series:
    """Label names as the label ids of labels.json (a list of ids per row when ``multilabel``)."""
    index = {n: i for i, n in enumerate(names)}
    if multilabel:
        return labels.map(lambda v: [index[x] for x in v])
    return labels.map(index).astype(np.int64)


def audit_metrics(truth, proba, names: list[str], multilabel: bool, threshold=None) -> dict:
    """Accuracy (subset accuracy for multi-label), micro- and macro-F1 of the audit rows, and the
    accuracy's 95% Wilson interval; ``{"audit_n": 0}`` without audit labels."""
    from .label import wilson_interval
    from .metrics import evaluate

    n = len(truth)
    if n == 0:
        return {"audit_n": 0}
    scores = evaluate(truth, proba, names, n, n, multilabel=multilabel, threshold=threshold)
    low, high = wilson_interval(round(scores["accuracy"] * n), n)
    return {"audit_n": n, "audit_accuracy": scores["accuracy"], "audit_accuracy_ci": [low, high],
            "audit_micro_f1": scores["micro_f1"], "audit_macro_f1": scores["macro_f1"]}


def run_label_model(f: dict) -> None:
    """Round r's model job of the labelling mode: read every label returned up to round r (checked against
    the batches offered), write them (``labelled``), train the learner on the trainable rows, predict the
    stop set, score the pool for the next batch (less the stop set, the audit and the skipped rows), and
    write metrics.json last (with the audit sample's accuracy when there is one). ``f``: the job's paths
    and settings (workflow/scripts/label_model.py)."""
    from .io import read_json, read_table, write_json, write_table
    from .label import read_returned
    from .learners import make_learner
    from .model import fit, write_scores, write_stop_predictions
    from .rows import aligned, label_array, read_features
    from .seeds import round_seed

    meta = read_json(f["labels"])
    names, multilabel = meta["names"], meta.get("task") == "multilabel"
    offered = {int(r): read_table(path) for r, path in f["offered"].items()}
    returned = {}
    for r, path in f["returned"].items():
        returned[int(r)], warnings = read_returned(path, offered[int(r)], names, multilabel, f["separator"])
        for line in warnings:
            log.warning("%s", line)
    table = labelled_table(read_table(f["seed_labels"]), offered, returned)
    write_table(table.astype({"label": object}), f["labelled"])

    options = {"multilabel": True, "threshold": f["multilabel"]["threshold"]} if multilabel else {}
    def make():
        return make_learner(f["learner"]["name"], names, f["learner"]["params"], seed=f["seed"], **options)

    learner = make()
    row_id, X = read_features(f["features"], learner.features)
    train = trainable(table)
    y = label_array(label_ids(train["label"], names, multilabel), len(names), multilabel)
    manifest = train[["row_id", "round"]]
    stop_ids = read_table(f["stop_set"])["row_id"].to_numpy() if f["stop_set"] else None
    tune = make if multilabel and f["multilabel"]["tune_threshold"] else None
    fit(learner, row_id, X, train["row_id"].to_numpy(), y, manifest, stop_ids, f["model"], tune,
        unlabelled=never_offered(row_id, table, stop_ids))
    log.info("round %d: trained on %d labels (%d skipped, %d audit rows)", f["round"], len(train),
             int(table["skipped"].sum()), int(table["audit"].sum()))

    threshold = learner.threshold if multilabel else None
    if f["stop_predictions"]:
        write_stop_predictions(learner, row_id, X, stop_ids, names, f["stop_predictions"])
    barred = table.loc[table["skipped"] | table["audit"], "row_id"].to_numpy(np.int64)
    exclude = np.union1d(stop_ids if stop_ids is not None else [], barred).astype(np.int64)
    write_scores(learner, row_id, X, manifest, names, f["scores"], f.get("last_layer"), pool_sample=f["pool_sample"],
                 seed=round_seed(f["seed"], f["round"]), exclude=exclude, multilabel=multilabel)
    audit = table[table["audit"] & ~table["skipped"]]
    truth = label_array(label_ids(audit["label"], names, multilabel), len(names), multilabel)
    proba = learner.predict_proba(X[aligned(row_id, audit["row_id"].to_numpy())]) if len(audit) else None
    write_json({"unit": "label", "seed": f["seed"], "round": f["round"], "n_labeled": len(train),
                "n_skipped": int(table["skipped"].sum()), "n_seed": int((table["source"] == "seed").sum()),
                **audit_metrics(truth, proba, names, multilabel, threshold),
                **({"threshold": threshold} if multilabel else {})}, f["metrics"])


def round_report(metrics: list[dict], proba: list[np.ndarray] | None, criteria: list, stop: tuple | None,
                 budgets: list[int]) -> pd.DataFrame:
    """One row per returned round: labels, skipped rows, the stop-set signals (kappa and the share of
    changed predictions against the round before, mean uncertainty: bucket_al.stopping.trace), the round at
    which each configured criterion fires (``stops``: the criteria that have fired by then), and the audit
    accuracy with its 95% interval where an audit sample exists."""
    from .stopping import stop_round, trace

    thresholds = [m["threshold"] for m in metrics] if metrics and "threshold" in metrics[0] else None
    table = pd.DataFrame({"round": [m["round"] for m in metrics], "n_labeled": [m["n_labeled"] for m in metrics],
                          "n_skipped": [m["n_skipped"] for m in metrics]})
    if proba:
        signals = trace(proba, thresholds)
        table[["kappa", "changed", "uncertainty"]] = signals[["kappa", "changed", "uncertainty"]].to_numpy()
    n_labeled = table["n_labeled"].tolist()
    fired = {}
    for name, params in [*criteria, *([stop] if stop and stop not in criteria else [])]:
        at = stop_round(name, dict(params), n_labeled, proba, budgets[len(n_labeled)]
                        if len(n_labeled) < len(budgets) else None, thresholds)
        fired[name] = at
    table["stops"] = [", ".join(n for n, at in fired.items() if at is not None and at <= i) for i in range(len(table))]
    table["audit_n"] = [m.get("audit_n", 0) for m in metrics]
    for key in ("audit_accuracy", "audit_macro_f1"):
        table[key] = [m.get(key, np.nan) for m in metrics]
    table["audit_ci_low"] = [m.get("audit_accuracy_ci", [np.nan, np.nan])[0] for m in metrics]
    table["audit_ci_high"] = [m.get("audit_accuracy_ci", [np.nan, np.nan])[1] for m in metrics]
    return table


def report_text(table: pd.DataFrame, *, labelled: pd.DataFrame, stop: tuple | None, stopped: bool,
                next_round: int | None, batch_csv: str | None, folder: str, model: str) -> str:
    """The labelling run's report (Markdown): rounds, labels, stopping signals, audit accuracy or the
    plain statement that no accuracy estimate exists, and what to do next."""
    lines = ["# Labelling report", ""]
    people = labelled[labelled["source"] == "person"]
    lines.append(f"{len(table)} round(s) trained; {int((~people['skipped']).sum())} labels from the person "
                 f"({int(people['skipped'].sum())} skipped), {int((labelled['source'] == 'seed').sum())} seed labels. "
                 f"Latest model: `{model}`.")
    lines.append("")
    shown = table.copy()
    shown["audit accuracy (95% CI)"] = [
        f"{a:.3f} [{lo:.3f}, {hi:.3f}] (n={n})" if n else "-"
        for a, lo, hi, n in zip(table["audit_accuracy"], table["audit_ci_low"], table["audit_ci_high"],
                                table["audit_n"])]
    cols = ["round", "n_labeled", "n_skipped", *[c for c in ("kappa", "changed", "uncertainty") if c in shown],
            "stops", "audit accuracy (95% CI)"]
    lines.append("| " + " | ".join(cols) + " |")
    lines.append("|" + "---|" * len(cols))
    for _, row in shown[cols].iterrows():
        lines.append("| " + " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row) + " |")
    lines.append("")
    if not table["audit_n"].iloc[-1]:
        lines.append("No accuracy estimate exists: there is no audit sample (label.audit). Accuracy on the labelled "
                     "rows is biased by the selection and is not one.")
    if stop:
        lines.append(f"Stopping rule selection.stop = {stop[0]} {dict(stop[1])}: "
                     + ("fired: labelling is sufficient by this rule." if stopped else "has not fired."))
    else:
        lines.append("No stopping rule is set (selection.stop); the signals above are for reading.")
    if next_round is not None:
        lines.append(f"Next: label `{batch_csv}` and save it as `{folder}/round{next_round}.csv` (or Label Studio's "
                     f"JSON export as `round{next_round}.json`), then run the same command again.")
    return "\n".join(lines) + "\n"


def plot_rounds(table: pd.DataFrame, path) -> None:
    """The stop-set signals (kappa, changed predictions, uncertainty) and the audit accuracy with its
    interval, against the number of labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .io import atomic_path

    fig, ax = plt.subplots(figsize=(6.4, 4))
    x = table["n_labeled"]
    for col, name in (("kappa", "kappa vs. round before"), ("changed", "changed predictions"),
                      ("uncertainty", "mean uncertainty")):
        if col in table:
            ax.plot(x, table[col], marker="o", label=name)
    if table["audit_n"].any():
        ax.errorbar(x, table["audit_accuracy"], yerr=[table["audit_accuracy"] - table["audit_ci_low"],
                                                      table["audit_ci_high"] - table["audit_accuracy"]],
                    marker="s", capsize=3, label="audit accuracy (95% CI)")
    ax.set_xlabel("labels")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Labelling rounds: stop-set signals")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
