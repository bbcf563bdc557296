"""Rule stamp: run.json, what produced this results folder (the code's commit, the config's digest)."""
from bucket_al.io import write_json
from bucket_al.runtime import run_step


def main(smk):
    p = smk.params
    write_json({"experiment": p.experiment, "commit": p.commit, "config_digest": p.config}, smk.output[0])


run_step(main, snakemake)  # noqa: F821
