"""Rule select_round: round r's manifest of an arm, by its query strategy, from round r-1's scores."""
from bucket_al.io import read_table, read_vectors, write_table
from bucket_al.rounds import query_round
from bucket_al.runtime import run_step
from bucket_al.seeds import round_seed


def main(smk):
    p, given = smk.params, smk.input.keys()
    vectors = {name: read_vectors(smk.input[name]) for name in ("embeddings", "reduced", "last_layer") if name in given}
    round_ = int(smk.wildcards.round)
    manifest = query_round(dict(p.arm), read_table(smk.input.previous), read_table(smk.input.scores), m=p.m, k=p.k,
                           round_=round_, seed=round_seed(int(smk.wildcards.seed), round_),
                           settings=dict(p.settings),
                           buckets=read_table(smk.input.buckets) if "buckets" in given else None, **vectors)
    write_table(manifest, smk.output[0])


run_step(main, snakemake)  # noqa: F821
