"""One source for every default: the config schema (workflow/schemas/config.schema.yaml) for the
workflow's settings, each plug-in's declared params for its own. No module of the package restates a
schema default, as a parameter's default or as the fallback of a ``.get``: code reads the validated
config, so a default changed in the schema is the default everywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def schema_defaults() -> dict[str, list]:
    """{leaf key name: [its defaults in the schema]} (a name may occur in several sections)."""
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    found: dict[str, list] = {}

    def walk(props):
        for key, spec in props.items():
            if "properties" in spec:
                walk(spec["properties"])
            elif "default" in spec:
                found.setdefault(key, []).append(spec["default"])

    walk(schema["properties"])
    return found


def restated(tree: ast.AST, defaults: dict[str, list]) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            positional = args.posonlyargs + args.args
            pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
            pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
            for arg, default in pairs:
                if arg.arg in defaults and isinstance(default, ast.Constant) and default.value in defaults[arg.arg] \
                        and default.value is not None:
                    out.append((node.lineno, f"{node.name}({arg.arg}={default.value!r})"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and len(node.args) == 2 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[1], ast.Constant):
            key, value = node.args[0].value, node.args[1].value
            if key in defaults and value in defaults[key] and value is not None:
                out.append((node.lineno, f".get({key!r}, {value!r})"))
    return out


def test_no_module_restates_a_schema_default():
    defaults = schema_defaults()
    assert {"n_init", "pick", "candidate_factor", "batch_size", "stop_set"} <= defaults.keys()  # the scan sees them
    found = []
    for path in sorted((ROOT / "src/bucket_al").rglob("*.py")):
        found += [f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in restated(ast.parse(path.read_text()), defaults)]
    assert not found, "schema defaults restated in code:\n" + "\n".join(found)


def test_the_scan_finds_a_restated_default():
    tree = ast.parse("def kmeans(X, k, seed, n_init=3):\n    return cfg.get('pick', 'random')\n")
    assert [what for _, what in restated(tree, schema_defaults())] == ["kmeans(n_init=3)", ".get('pick', 'random')"]


def restated_in_config(cfg: dict, props: dict, prefix: str = "") -> list[str]:
    """The keys of a config file set to the schema's default (a block is walked key by key)."""
    out = []
    for key, value in cfg.items():
        spec = props.get(key, {})
        if isinstance(value, dict) and "properties" in spec:
            out += restated_in_config(value, spec["properties"], f"{prefix}{key}.")
        elif "default" in spec and spec["default"] == value:
            out.append(f"{prefix}{key}: {value!r}")
    return out


def test_config_yaml_restates_no_schema_default():
    """config/config.yaml, which every run loads first, holds a user's changes only: a value restated
    there would stay behind, silently, when the schema's default changes."""
    props = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())["properties"]
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    assert isinstance(cfg, dict), "config/config.yaml must hold a mapping ({} when empty)"
    assert not restated_in_config(cfg, props), restated_in_config(cfg, props)
    # the scan sees a restated default, in a block and at the top
    assert restated_in_config({"seeds": [0, 1, 2, 3, 4], "bucket": {"k": 50, "pick": "nearest"}}, props) == \
        ["seeds: [0, 1, 2, 3, 4]", "bucket.k: 50"]


def test_the_schema_restates_no_plug_in_default():
    """A plug-in's params declare its defaults; the schema's default stopping criteria name only what they
    add (budget's labels, which has no default), so a criterion's default changed in its class holds everywhere."""
    from bucket_al.plugins import CRITERIA

    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    criteria = schema["properties"]["stopping"]["properties"]["criteria"]["default"]
    restated = [f"{name}.{key}" for name, params in criteria.items() for key, value in (params or {}).items()
                if "default" in CRITERIA.get(name).params[key] and CRITERIA.get(name).params[key]["default"] == value]
    assert not restated, f"the schema restates the criteria's defaults: {restated}"


def test_the_schemas_enums_are_the_codes_lists():
    """A choice the code branches on is listed twice, in the schema (checked at parse time, shown in
    docs/config.md) and in the module that acts on it; the two lists must be the same."""
    from bucket_al.aggregate.tables import METRICS
    from bucket_al.reduce import METHODS
    from bucket_al.select import COLD_START_PICKS
    from bucket_al.vectors import KEYS

    props = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())["properties"]
    for (block, key), names in {("evaluate", "metric"): METRICS, ("reduce", "method"): METHODS,
                                ("bucket", "pick"): COLD_START_PICKS, ("encoder", "vectors_key"): KEYS}.items():
        assert props[block]["properties"][key]["enum"] == list(names), f"{block}.{key}"
