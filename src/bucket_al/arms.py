"""Arms: what the workflow compares. An arm is a cold start (round 0) followed by a query strategy
(rounds >= 1) with its uncertainty measure; every arm is paired with the same random twin.

:data:`PRESETS` names the arms a user would pick; ``selection.arms`` lists preset names and/or
custom arms (``{name, cold_start, cold_start_params, query, measure, params}``). The rules read the
declarations of an arm's strategies to give each round job the files it needs, and share one
round 0 per cold start (with its parameters) and seed between all the arms that start the same way
(the ``random`` cold start is the random twin's own round 0).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from .errors import ConfigError, check_choice
from .plugins import COLD_STARTS, QUERIES
from .score import MEASURES


@dataclass(frozen=True)
class Arm:
    name: str
    cold_start: str  # a COLD_STARTS name
    query: str  # a QUERIES name
    measure: str = "entropy"  # a MEASURES name, for the strategies that rank by uncertainty
    params: dict = field(default_factory=dict)  # the query strategy's own parameters
    cold_start_params: dict = field(default_factory=dict)  # the cold start's own parameters
    about: str = ""

    def spec(self) -> dict:
        """What the round rules pass to the strategy (a param: changing it re-runs the arm)."""
        return {"query": self.query, "measure": self.measure, "params": dict(self.params)}

    @property
    def cold_key(self) -> str:
        """The shared round 0 of this arm's cold start and its parameters: the cold start's name, with
        a digest of the parameters when they differ from its defaults."""
        cls = COLD_STARTS.get(self.cold_start)
        given = cls.resolve(self.cold_start_params, f"arm '{self.name}': cold_start_params")
        if given == cls.resolve({}, self.cold_start):
            return self.cold_start
        return f"{self.cold_start}-{hashlib.sha1(json.dumps(given, sort_keys=True).encode()).hexdigest()[:8]}"

    @property
    def cold_unit(self) -> str:
        """The folder of the arm's round 0: the random twin's for the random cold start."""
        return "random" if self.cold_key == "random" else f"cold_start/{self.cold_key}"


PRESETS = {arm.name: arm for arm in [
    Arm("within_bucket", "buckets", "within_bucket",
        about="the seed's method: n per bucket, then the m highest-entropy rows of each original bucket"),
    Arm("recluster", "buckets", "recluster",
        about="the seed's method, second reading: re-bucket the most uncertain rows, m from each new bucket"),
    Arm("bucket_margin", "buckets", "within_bucket", "margin",
        about="the seed's buckets with the margin instead of entropy"),
    Arm("buckets_entropy", "buckets", "topk",
        about="the seed's cold start, then plain top-k entropy: what the bucketed rounds add"),
    Arm("buckets_random", "buckets", "random",
        about="ablation: the seed's cold start, then random rounds: what the cold start alone does"),
    Arm("entropy", "random", "topk",
        about="random cold start, then the top-k rows by entropy (the ATIS notebook's rule)"),
    Arm("margin", "random", "topk", "margin", about="random cold start, then the smallest margins"),
    Arm("least_confidence", "random", "topk", "least_confidence",
        about="random cold start, then the least confident rows"),
    Arm("coreset", "random", "coreset", about="random cold start, then greedy k-center on the embeddings"),
    Arm("badge", "random", "badge", about="random cold start, then k-means++ on gradient embeddings"),
    Arm("cal", "random", "cal", about="random cold start, then contrastive active learning"),
    Arm("typiclust", "typiclust", "topk", about="TypiClust cold start, then top-k entropy"),
    Arm("probcover", "probcover", "topk", about="ProbCover cold start, then top-k entropy"),
]}

RESERVED = {"random", "ceiling", "cold_start", "reduce", "bucket", "logs", "benchmarks", "stop", "stop_set"}


def gives_last_layer(learner) -> bool:
    """Whether a learner class has a last layer for BADGE: its features are the embeddings, or it returns
    its classifier's input beside its probabilities (``predict_proba_and_last_layer``)."""
    return learner.features == "embeddings" or hasattr(learner, "predict_proba_and_last_layer")


def parse_arms(entries: list, learner=None) -> list[Arm]:
    """``selection.arms`` (preset names and/or dicts) as :class:`Arm` objects, checked; with the
    ``learner`` class, also that it gives what each arm needs (a last layer, for BADGE)."""
    arms = []
    for i, entry in enumerate(entries):
        key = f"selection.arms[{i}]"
        if isinstance(entry, str):
            check_choice(key, "arm", entry, PRESETS)
            arm = PRESETS[entry]
        elif isinstance(entry, dict):
            unknown = set(entry) - {"name", "cold_start", "cold_start_params", "query", "measure", "params"}
            if unknown:
                raise ConfigError(f"{key}: unknown keys {sorted(unknown)} (an arm has name, cold_start, "
                                  "cold_start_params, query, measure, params)")
            if "name" not in entry:
                raise ConfigError(f"{key}: a custom arm needs a name")
            base = PRESETS.get(entry["name"])
            arm = Arm(name=str(entry["name"]),
                      cold_start=entry.get("cold_start", base.cold_start if base else "random"),
                      query=entry.get("query", base.query if base else "topk"),
                      measure=entry.get("measure", base.measure if base else "entropy"),
                      params=dict(entry.get("params") or {}),
                      cold_start_params=dict(entry.get("cold_start_params") or {}))
        else:
            raise ConfigError(f"{key}: an arm is a preset name or a mapping, got {entry!r}")
        if arm.name in RESERVED or not re.fullmatch(r"[A-Za-z0-9_-]+", arm.name):
            raise ConfigError(f"{key}: '{arm.name}' cannot name an arm (letters, digits, _ and -; not one of "
                              f"{', '.join(sorted(RESERVED))})")
        COLD_STARTS.check(f"{key}.cold_start", arm.cold_start)
        QUERIES.check(f"{key}.query", arm.query)
        check_choice(f"{key}.measure", "uncertainty measure", arm.measure, MEASURES)
        QUERIES.get(arm.query).resolve(arm.params, f"{key}.params")
        COLD_STARTS.get(arm.cold_start).resolve(arm.cold_start_params, f"{key}.cold_start_params")
        if learner is not None and "grad_embedding" in query_needs(arm) and not gives_last_layer(learner):
            from .plugins import LEARNERS

            able = [n for n in LEARNERS.names if gives_last_layer(LEARNERS.get(n))]
            raise ConfigError(f"{key}: query '{arm.query}' needs the learner's last layer, which learner "
                              f"'{learner.name}' does not expose (use {', '.join(able)})")
        arms.append(arm)
    names = [a.name for a in arms]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"selection.arms: {twice} listed twice")
    return arms


def query_needs(arm: Arm) -> frozenset:
    """What the arm's query strategy reads besides the previous manifest and the scores table."""
    return QUERIES.get(arm.query).needs


def cold_start_needs(name: str) -> frozenset:
    return COLD_STARTS.get(name).needs


def query_settings_of(arm: Arm) -> tuple:
    """The workflow settings (config keys) the arm's query strategy reads."""
    return QUERIES.get(arm.query).settings
