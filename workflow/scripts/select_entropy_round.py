"""Rule select_entropy_round: round r's manifest from round r-1's entropy table."""
from bucket_al.io import read_table, read_vectors, write_table
from bucket_al.runtime import run_step
from bucket_al.select import reduced_frame, round_seed, select_round


def main(smk):
    params = dict(smk.params.selection)
    context = {"seed": round_seed(int(smk.wildcards.seed), int(smk.wildcards.round))}
    if "reduced" in smk.input.keys():
        context["reduced"] = reduced_frame(*read_vectors(smk.input.reduced))
    manifest = select_round(params.pop("strategy"), read_table(smk.input.previous), read_table(smk.input.entropy),
                            round_=int(smk.wildcards.round), **params, **context)
    write_table(manifest, smk.output[0])


run_step(main, snakemake)  # noqa: F821
