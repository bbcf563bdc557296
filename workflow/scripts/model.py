"""Rules model, model_last, ceiling and their compare_* twins: one model, in one process (bucket_al.model):
train, save, evaluate, predict the stop set, and score the pool when a later round selects from it."""
from bucket_al.model import ModelFiles, run_model
from bucket_al.runtime import run_step


def main(smk):
    i, o, p = smk.input, smk.output, smk.params

    def get(io, name):
        return io[name] if name in io.keys() else None

    run_model(ModelFiles(
        learner=p.learner, seed=int(smk.wildcards.seed), unit=p.unit, round=p.round,
        pool=i.pool, features=i.features, eval=i.eval, eval_features=i.eval_features, labels=i.labels,
        manifest=get(i, "manifest"), stop_set=get(i, "stop_set"), scored=get(i, "scored"),
        model=o.model, metrics=o.metrics, stop_predictions=get(o, "stop"), scores=get(o, "scores"),
        last_layer=get(o, "last_layer"), pool_sample=p.pool_sample, score_pool_sample=p.score_pool_sample,
        multilabel=dict(p.multilabel) or None))


run_step(main, snakemake)  # noqa: F821
