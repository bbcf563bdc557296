# Bucketed cold start + entropy rounds vs. random twins (see README.md).
import os
import sys

from snakemake.utils import min_version

# The workflow runs its own copy of the bucket_al package (src/), in this process and in every
# job's, whether or not it is pip-installed.
SRC = os.path.join(workflow.basedir, "src")
sys.path.insert(0, SRC)
# (Set, never read as a required variable, so there is nothing for an envvars: directive to assert.)
os.environ.update(PYTHONPATH=os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])))

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "rules/common.smk"
include: "rules/resources.smk"


if OWN_VECTORS:  # the user's own vectors (encoder.vectors)

    include: "rules/own_vectors.smk"

elif SHARDS > 1:  # the encoder, in shards (encoder.shards)

    include: "rules/embed_shards.smk"

else:

    include: "rules/embed.smk"


include: "rules/reduce.smk"
include: "rules/bucket.smk"
include: "rules/stop_set.smk"
include: "rules/embed_labels.smk"


if LABEL_MODE:  # one arm drives a person labelling the pool (README: Label your own pool)

    include: "rules/label_common.smk"
    include: "rules/label.smk"

else:  # every arm against its random twin on a labelled pool

    include: "rules/data.smk"
    include: "rules/stop.smk"
    include: "rules/rounds.smk"
    include: "rules/model.smk"
    include: "rules/zero_shot.smk"
    include: "rules/aggregate.smk"


rule all:
    input:
        final_targets,
    default_target: True


onsuccess:
    print_what_next()
