"""bucket_al: the logic behind the bucketed active-learning Snakemake workflow.

One module per step: data, embed, reduce, bucket, select, learners, score, metrics, aggregate.
The workflow's scripts (workflow/scripts/) only read files, call these, and write files.
"""

__version__ = "0.1.0"

from .runtime import job_object as _job_object, skip_scipy_docstring_notes as _skip_scipy_docstring_notes

if _job_object() is not None:  # a workflow step's own process: see skip_scipy_docstring_notes
    _skip_scipy_docstring_notes()
