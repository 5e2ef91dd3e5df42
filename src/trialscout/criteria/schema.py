"""The JSON Schema of contract 1, shipped in the package, and a validator with readable errors."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def criteria_schema() -> dict[str, Any]:
    path = resources.files("trialscout.criteria").joinpath("data").joinpath("criteria.schema.json")
    return json.loads(path.read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    schema = criteria_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate_criteria(data: Any) -> None:
    """Raise ValueError naming the JSON path of the first violation of contract 1."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        raise ValueError(f"criteria contract violated at {path}: {err.message}")
    for i, crit in enumerate(data.get("criteria", []) if isinstance(data, dict) else []):
        _check_tree(crit, f"$.criteria[{i}]")


def tree_indexes(logic: Any) -> list[int]:
    """Every rule index a logic tree names ('all' / 'any' name none: they cover every rule)."""
    if isinstance(logic, int):
        return [logic]
    if isinstance(logic, dict):
        out: list[int] = []
        for value in logic.values():
            for sub in value if isinstance(value, list) else [value]:
                out += tree_indexes(sub)
        return out
    return []


def _check_tree(crit: dict, where: str) -> None:
    """Version 2: tree leaves name existing rules; a rule left out of the tree is an `other`
    note that qualifies the criterion (nothing computable is silently dropped)."""
    rules = crit.get("rules", [])
    logic = crit.get("logic")
    if not isinstance(logic, dict):
        return
    named = set(tree_indexes(logic))
    if any(i >= len(rules) for i in named):
        raise ValueError(f"criteria contract violated at {where}.logic: index out of range")
    for i, rule in enumerate(rules):
        if i not in named and rule.get("type") != "other":
            raise ValueError(
                f"criteria contract violated at {where}.rules[{i}]: not in the logic tree"
            )
