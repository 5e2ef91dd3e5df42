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
