"""How a step's random state derives from the replicate's seed. A module of its own so that the
steps that only need a seed (scoring a pool sample) do not depend on the selection code."""


def round_seed(seed: int, round_: int) -> int:
    """The random state of round ``round_`` of replicate ``seed`` (a query strategy's randomness,
    recluster's k-means, the score step's pool sample)."""
    return seed * 1000 + round_
