"""Rule label_batch: the open round's batch for the person: round 0's by the arm's cold start (and the
audit rows), a later round's by its query strategy on the last model's scores (bucket_al.label_round);
as batch.csv and Label Studio's tasks.json (bucket_al.label)."""
from bucket_al.io import atomic_path, read_json, read_table, read_vectors, write_json, write_table
from bucket_al.label import batch_files, label_config
from bucket_al.label_round import first_batch, next_batch
from bucket_al.runtime import run_step
from bucket_al.seeds import round_seed


def main(smk):
    i, o, p, given = smk.input, smk.output, smk.params, smk.input.keys()
    r = int(smk.wildcards.round)
    pool = read_table(i.pool, columns=["row_id", "text"])
    meta = read_json(i.labels)
    stop_ids = read_table(i.stop_set)["row_id"].to_numpy() if "stop_set" in given else None
    buckets = read_table(i.buckets) if "buckets" in given else None
    if r == 0:
        batch = first_batch(pool["row_id"].to_numpy(), stop_ids, cold=p.cold, cold_params=dict(p.cold_params),
                            budget=p.budget, seed=p.seed, n=p.n, pick=p.pick, audit=p.audit, buckets=buckets,
                            reduced=read_vectors(i.reduced) if "reduced" in given else None,
                            zero_shot=read_table(i.zero_shot) if "zero_shot" in given else None)
    else:
        vectors = {name: read_vectors(i[name]) for name in ("embeddings", "reduced", "last_layer") if name in given}
        threshold = read_json(i.metrics).get("threshold")
        batch = next_batch(dict(p.arm), read_table(i.labelled), read_table(i.scores), m=p.m, k=p.k, round_=r,
                           seed=round_seed(p.seed, r), settings=dict(p.settings), names=meta["names"],
                           threshold=threshold, buckets=buckets, separator=p.separator, **vectors)
    batch = batch.merge(pool, on="row_id", how="left")
    write_table(batch, o.batch)
    batch_files(batch, meta["names"], r, o.csv, o.tasks, multilabel=meta["task"] == "multilabel",
                separator=p.separator)
    with atomic_path(o.label_config) as tmp:
        open(tmp, "w").write(label_config(meta["names"], meta["task"] == "multilabel"))
    write_json({"round": r, "rows": len(batch), "audit_rows": int(batch["audit"].sum()), "dataset": p.dataset_key,
                "arm": p.arm_name, "seed": p.seed}, o.offered)


run_step(main, snakemake)  # noqa: F821
