"""Rules round and round_last: an arm's round r >= 1, in one process: its query strategy adds m*k rows
to round r-1's manifest from round r-1's scores (bucket_al.rounds), then train, evaluate, predict the
stop set and, unless it is the last round, score the pool (bucket_al.model)."""
from bucket_al.io import read_table, read_vectors, write_table
from bucket_al.model import job_files, run_model
from bucket_al.rounds import query_round
from bucket_al.runtime import run_step
from bucket_al.seeds import round_seed


def main(smk):
    i, p, given = smk.input, smk.params, smk.input.keys()
    vectors = {name: read_vectors(i[name]) for name in ("embeddings", "reduced", "last_layer") if name in given}
    round_ = int(smk.wildcards.round)
    manifest = query_round(dict(p.arm), read_table(i.previous), read_table(i.scores), m=p.m, k=p.k,
                           round_=round_, seed=round_seed(int(smk.wildcards.seed), round_),
                           settings=dict(p.settings),
                           buckets=read_table(i.buckets) if "buckets" in given else None, **vectors)
    write_table(manifest, smk.output.manifest)
    run_model(job_files(smk))


run_step(main, snakemake)  # noqa: F821
