"""Rule select_cold_start: round 0's manifest of one cold start (shared by the arms that use it)."""
from bucket_al.io import read_table, read_vectors, write_table
from bucket_al.rounds import cold_start_round
from bucket_al.rows import selectable
from bucket_al.runtime import run_step


def main(smk):
    p, given = smk.params, smk.input.keys()
    pool = selectable(read_table(smk.input.pool, columns=["row_id"])["row_id"].to_numpy(),
                      read_table(smk.input.stop_set)["row_id"].to_numpy() if "stop_set" in given else None)
    manifest = cold_start_round(p.cold, pool, p.budget, int(smk.wildcards.seed), n=p.n, pick=p.pick,
                                params=dict(p.cold_params),
                                buckets=read_table(smk.input.buckets) if "buckets" in given else None,
                                reduced=read_vectors(smk.input.reduced) if "reduced" in given else None,
                                zero_shot=read_table(smk.input.zero_shot) if "zero_shot" in given else None)
    write_table(manifest, smk.output[0])


run_step(main, snakemake)  # noqa: F821
