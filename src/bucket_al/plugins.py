"""Every plug-in of the workflow, one line each: name -> "module:Class" (bucket_al.registry).

Adding a plug-in is its class and one line here; nothing is imported until a config names it.
This module is data: a job's code digest (bucket_al.provenance) covers the line of each plug-in
the job uses, never the whole file, so adding a line re-runs no cached job.
"""

from .registry import Registry

LEARNERS = Registry("learner", {
    "linear": "bucket_al.learners.linear:LinearLearner",
    "finetune": "bucket_al.learners.finetune:FinetuneLearner",
    "nb": "bucket_al.learners.nb:NaiveBayesLearner",
    "knn": "bucket_al.learners.knn:KNNLearner",
    "setfit": "bucket_al.learners.setfit:SetFitLearner",
    "selftrain": "bucket_al.learners.selftrain:SelfTrainLearner",
})

QUERIES = Registry("query strategy", {
    "within_bucket": "bucket_al.strategies.bucketed:WithinBucket",
    "recluster": "bucket_al.strategies.bucketed:Recluster",
    "topk": "bucket_al.strategies.topk:TopK",
    "random": "bucket_al.strategies.topk:Uniform",
    "coreset": "bucket_al.strategies.coreset:CoreSet",
    "badge": "bucket_al.strategies.badge:Badge",
    "cal": "bucket_al.strategies.cal:Cal",
})

COLD_STARTS = Registry("cold start", {
    "buckets": "bucket_al.strategies.cold_starts:Buckets",
    "random": "bucket_al.strategies.cold_starts:Random",
    "typiclust": "bucket_al.strategies.typiclust:TypiClust",
    "probcover": "bucket_al.strategies.probcover:ProbCover",
    "zero_shot": "bucket_al.strategies.zero_shot:ZeroShot",
})

CRITERIA = Registry("stopping criterion", {
    "kappa": "bucket_al.stopping.small_text:Kappa",
    "overall_uncertainty": "bucket_al.stopping.uncertainty:OverallUncertainty",
    "classification_change": "bucket_al.stopping.small_text:ClassificationChange",
    "budget": "bucket_al.stopping.budget:Budget",
})

ALL = {"learner": LEARNERS, "query": QUERIES, "cold_start": COLD_STARTS, "criterion": CRITERIA}
