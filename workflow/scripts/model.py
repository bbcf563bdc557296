"""Rules ceiling, compare_model and compare_ceiling: one model, in one process (bucket_al.model): train,
save, evaluate, predict the stop set where the job writes it."""
from bucket_al.model import job_files, run_model
from bucket_al.runtime import run_step


def main(smk):
    run_model(job_files(smk))


run_step(main, snakemake)  # noqa: F821
