"""Reading the vocabulary's data files: YAML a clinician can edit, checked on load.

A bad entry raises `ValueError` naming the file and the key, so a typo in a synonym list is
found when the vocabulary loads, not as a silently wrong verdict later.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(name: str) -> dict[str, Any]:
    """The mapping in `vocab/data/<name>`; raises ValueError if it is not a mapping."""
    text = resources.files("trialscout.vocab").joinpath("data").joinpath(name).read_text("utf-8")
    data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping of entries")
    return data


def terms(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """A list of non-empty lower-case strings under `key` (absent: empty)."""
    values = entry.get(key) or []
    if not isinstance(values, list) or not all(
        isinstance(v, str) and v and v == v.strip() and v == v.lower() for v in values
    ):
        raise ValueError(f"{where}: {key!r} must be a list of non-empty lower-case strings")
    return tuple(values)


def codes(entry: dict[str, Any], where: str) -> tuple[str, ...]:
    """`system:code` strings (icd10cm:C22.0, snomed:..., loinc:..., mesh:...)."""
    values = entry.get("codes") or []
    if not isinstance(values, list) or not all(
        isinstance(v, str) and ":" in v and v.split(":", 1)[0] in CODE_SYSTEMS for v in values
    ):
        raise ValueError(f"{where}: codes must be 'system:code' with system in {CODE_SYSTEMS}")
    return tuple(values)


CODE_SYSTEMS = ("icd10cm", "snomed", "mesh", "loinc", "atc", "rxnorm")
