"""Rule cold_start: round 0 of one cold start (shared by the arms that use it), in one process: pick
its rows (bucket_al.rounds), then train, evaluate, predict the stop set and score the pool (bucket_al.model)."""
from bucket_al.io import read_table, read_vectors, write_table
from bucket_al.model import job_files, run_model
from bucket_al.rounds import cold_start_round
from bucket_al.rows import selectable
from bucket_al.runtime import run_step


def main(smk):
    i, p, given = smk.input, smk.params, smk.input.keys()
    pool = selectable(read_table(i.pool, columns=["row_id"])["row_id"].to_numpy(),
                      read_table(i.stop_set)["row_id"].to_numpy() if "stop_set" in given else None)
    manifest = cold_start_round(p.cold, pool, p.budget, int(smk.wildcards.seed), n=p.n, pick=p.pick,
                                params=dict(p.cold_params),
                                buckets=read_table(i.buckets) if "buckets" in given else None,
                                reduced=read_vectors(i.reduced) if "reduced" in given else None,
                                zero_shot=read_table(i.zero_shot) if "zero_shot" in given else None)
    write_table(manifest, smk.output.manifest)
    run_model(job_files(smk))


run_step(main, snakemake)  # noqa: F821
