"""Score and staging systems (ECOG, Child-Pugh, BCLC, ...) from `data/scores.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from trialscout.vocab.load import read, terms


@dataclass(frozen=True, slots=True)
class ScoreSystem:
    name: str
    aliases: tuple[str, ...]
    values: tuple[Any, ...] = ()  # closed ordered scale, empty when numeric
    numeric: bool = False
    min: float | None = None
    max: float | None = None


@cache
def score_systems() -> dict[str, ScoreSystem]:
    out = {}
    for name, entry in read("scores.yaml").items():
        where = f"scores.yaml: {name!r}"
        numeric = bool(entry.get("numeric", False))
        if not numeric and not isinstance(entry.get("values"), list):
            raise ValueError(f"{where}: a non-numeric system needs 'values'")
        out[name] = ScoreSystem(
            name=name,
            aliases=terms(entry, "aliases", where),
            values=tuple(entry.get("values", ())),
            numeric=numeric,
            min=entry.get("min"),
            max=entry.get("max"),
        )
    return out
