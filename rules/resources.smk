# Cluster resources: what each job asks a scheduler for (mem_mb in MB, runtime in minutes, GPUs), from the
# learner's declarations and the size of the pool's vectors. Speed and placement only: no result depends on it.
from bucket_al.config import pool_vectors_mb


def embed_resources():
    """An embedding job's: the encoder and its batches (mem_mb), and resources.gpu GPUs when encoder.device is cuda."""
    gpu = config["resources"]["gpu"] if config["encoder"]["device"] == "cuda" else 0
    return {"mem_mb": 4000, **({"gpu": gpu} if gpu else {})}


def model_resources(step, learner=LEARNER):
    """What the learner declares its jobs need (mem_mb in MB, runtime in minutes) and, for a learner
    that uses a GPU, resources.gpu GPUs."""
    cls = learner_class(learner)
    gpu = config["resources"]["gpu"] if cls.uses_gpu else 0
    return {**cls.resources[step], **({"gpu": gpu} if gpu else {})}


# -- cluster resources that grow with the pool ---------------------------------------------------
# A job that reads the pool's vectors declares mem_mb = base + copies x the vectors' size, and a runtime
# that grows with it, so no job of a large pool's plan is killed for memory. The size is known at parse
# time (pool_vectors_mb: rows x dimension x 4 bytes), so a dry run shows the figures; where it is not (a
# pool from the hub before its data step, a hub encoder before its embedding) the job's input size stands
# in, once its inputs exist. Copies: the most copies of the pool's vectors a job holds at once, measured
# with benchmarks/bench_scale.py (10^4..10^6 rows; its table of the peak RSS per step).
POOL_MB = pool_vectors_mb(config, DATA, EMB)
POOL_COPIES = {  # kind of job -> (base MB, copies of the pool's vectors), as measured at 10^6 rows of 384 (1,465 MB)
    "reduce": (1000, 2),  # PCA: 3.4 GB
    "bucket": (1000, 1),  # k-means on the reduced vectors, the 2-D map of the picks: 0.7 and 2.0 GB
    "vectors": (500, 3),  # own_vectors, embed_merge: read, converted, written: 3.9 GB
    "round": (1000, 1.5),  # a round's job: the memory-mapped vectors, a block being scored: 2.0-3.2 GB
    "round_embeddings": (1000, 4.5),  # ... whose strategy reads every candidate's vector: core-set 4.9, BADGE 6.4 GB
    "twin": (1000, 1.5),  # the twin: trains on its rows, predicts the stop set (and scores the pool): 1.4-2.0 GB
    "ceiling": (1000, 3),  # the full-data fit: the vectors and their float64 copy: 4.7 GB
}


def pool_resources(kind, step=None):
    """{mem_mb, runtime} of a job that reads the pool's vectors: base + copies x their size (POOL_COPIES[kind];
    ``kind``: a name, or a function of the job's wildcards), at least what the learner declares for ``step``
    (model, ceiling). Functions of the job's wildcards and input: they use the pool's size known at parse time
    when it is, so a dry run shows the figures, and the job's input size otherwise."""

    def figures(w, input):
        base, copies = POOL_COPIES[kind(w) if callable(kind) else kind]
        mb = POOL_MB if POOL_MB is not None else input.size_mb
        floor = model_resources(step) if step else {"mem_mb": 0, "runtime": 30}
        return {
            "mem_mb": max(floor["mem_mb"], int(base + copies * mb)),
            "runtime": max(floor["runtime"], int(10 + 10 * mb / 1024)),
        }

    return {
        "mem_mb": lambda w, input: figures(w, input)["mem_mb"],
        "runtime": lambda w, input: figures(w, input)["runtime"],
    }


def round_resources(kind="round"):
    """A round job's resources: pool_resources at least the learner's declaration, and its GPUs."""
    gpu = model_resources("model").get("gpu", 0)
    return {**pool_resources(kind, "model"), **({"gpu": gpu} if gpu else {})}


def arm_round_kind(w):
    """An arm's round reads every candidate's vector where its strategy needs them (core-set, BADGE)."""
    return "round_embeddings" if {"embeddings", "grad_embedding"} & set(query_needs(ARMS[w.arm])) else "round"
