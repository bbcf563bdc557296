"""bucket_al: the logic behind the bucketed active-learning Snakemake workflow.

One module per step: data, embed, reduce, bucket, select, learners, score, metrics, aggregate.
The workflow's scripts (workflow/scripts/) only read files, call these, and write files.
"""

__version__ = "0.1.0"
