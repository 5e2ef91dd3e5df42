"""Vocabularies (lab analytes, score systems, therapies, conditions) loaded from validated JSON.

These are the shared language between the criteria parser and the matcher: an analyte alias maps
to one canonical analyte with one canonical unit, a drug maps to its class, a condition knows its
broader concepts. Data files are checked on load; a bad entry raises ValueError naming its key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from trialscout.vocab.units import Quantity, UnitSpec, parse_unit, registry

__all__ = [
    "Analyte",
    "Quantity",
    "analyte",
    "analytes",
    "canonical_analyte",
    "canonical_condition",
    "canonical_therapy",
    "drug_class",
    "is_a",
    "normalize_quantity",
    "score_systems",
]


@dataclass(frozen=True, slots=True)
class Analyte:
    name: str
    unit: str  # canonical unit ("xULN" is always accepted too when uln_ok)
    pint: str
    uln_ok: bool
    aliases: tuple[str, ...]
    molar_mass: float | None = None
    per_analyte_units: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class ScoreSystem:
    name: str
    aliases: tuple[str, ...]
    values: tuple[Any, ...] = ()  # closed ordered scale, empty when numeric
    numeric: bool = False
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True, slots=True)
class Concept:
    name: str
    aliases: tuple[str, ...]
    parents: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    klass: str | None = None
    negated_aliases: tuple[str, ...] = ()  # 'HBeAg negative' names the absence of the concept


def _load(name: str) -> dict[str, Any]:
    text = resources.files("trialscout.criteria").joinpath("data").joinpath(name).read_text("utf-8")
    return json.loads(text)


def _need(entry: dict, key: str, kind: type, where: str) -> Any:
    if key not in entry or not isinstance(entry[key], kind):
        raise ValueError(f"{where}: missing or invalid {key!r}")
    return entry[key]


def _aliases(entry: dict, where: str) -> tuple[str, ...]:
    aliases = _need(entry, "aliases", list, where)
    if not all(isinstance(a, str) and a == a.lower().strip() and a for a in aliases):
        raise ValueError(f"{where}: aliases must be non-empty lower-case strings")
    return tuple(aliases)


@lru_cache(maxsize=1)
def analytes() -> dict[str, Analyte]:
    out = {}
    for name, entry in _need(_load("labs.json"), "analytes", dict, "labs.json").items():
        where = f"labs.json: analyte {name!r}"
        unit = _need(entry, "unit", str, where)
        parse_unit(unit)  # raises on a canonical unit the normalizer cannot read
        extra = entry.get("per_analyte_units", {})
        out[name] = Analyte(
            name=name,
            unit=unit,
            pint=_need(entry, "pint", str, where),
            uln_ok=bool(_need(entry, "uln_ok", bool, where)),
            aliases=_aliases(entry, where),
            molar_mass=entry.get("molar_mass"),
            per_analyte_units=tuple((parse_unit(k).token, float(v)) for k, v in extra.items()),
        )
    return out


@lru_cache(maxsize=1)
def score_systems() -> dict[str, ScoreSystem]:
    out = {}
    for name, entry in _need(_load("scores.json"), "systems", dict, "scores.json").items():
        where = f"scores.json: system {name!r}"
        numeric = bool(entry.get("numeric", False))
        if not numeric and not isinstance(entry.get("values"), list):
            raise ValueError(f"{where}: a non-numeric system needs 'values'")
        out[name] = ScoreSystem(
            name=name,
            aliases=_aliases(entry, where),
            values=tuple(entry.get("values", ())),
            numeric=numeric,
            min=entry.get("min"),
            max=entry.get("max"),
        )
    return out


@lru_cache(maxsize=1)
def therapies() -> dict[str, Concept]:
    out = {}
    for name, entry in _need(_load("therapies.json"), "therapies", dict, "therapies.json").items():
        where = f"therapies.json: therapy {name!r}"
        out[name] = Concept(name, _aliases(entry, where), klass=_need(entry, "class", str, where))
    return out


@lru_cache(maxsize=1)
def conditions() -> dict[str, Concept]:
    data = _need(_load("conditions.json"), "conditions", dict, "conditions.json")
    out = {}
    for name, entry in data.items():
        where = f"conditions.json: condition {name!r}"
        parents = tuple(_need(entry, "parents", list, where))
        for parent in parents:
            if parent not in data:
                raise ValueError(f"{where}: unknown parent {parent!r}")
        negated = tuple(entry.get("negated_aliases", ()))
        if not all(isinstance(a, str) and a == a.lower().strip() and a for a in negated):
            raise ValueError(f"{where}: negated_aliases must be non-empty lower-case strings")
        out[name] = Concept(
            name,
            _aliases(entry, where),
            parents,
            tuple(entry.get("codes", ())),
            negated_aliases=negated,
        )
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


@lru_cache(maxsize=1)
def _alias_maps() -> dict[str, dict[str, str]]:
    maps: dict[str, dict[str, str]] = {"lab": {}, "therapy": {}, "condition": {}}
    for table, key in ((analytes(), "lab"), (therapies(), "therapy"), (conditions(), "condition")):
        for name, item in table.items():
            maps[key][_norm(name)] = name
            for alias in item.aliases:
                maps[key].setdefault(alias, name)
    return maps


def canonical_analyte(name: str) -> str | None:
    """'Hb', 'haemoglobin', 'hemoglobin' -> 'hemoglobin'; None if unknown."""
    return _alias_maps()["lab"].get(_norm(name).replace("_", " ")) or (
        name if name in analytes() else None
    )


def canonical_therapy(name: str) -> str | None:
    return _alias_maps()["therapy"].get(_norm(name))


def canonical_condition(name: str) -> str | None:
    return _alias_maps()["condition"].get(_norm(name))


def analyte(name: str) -> Analyte:
    canon = canonical_analyte(name)
    if canon is None:
        raise ValueError(f"unknown analyte {name!r}")
    return analytes()[canon]


def drug_class(name: str) -> str | None:
    """'tenofovir' -> 'nucleos(t)ide analogue'; None if the therapy is unknown."""
    canon = canonical_therapy(name)
    return therapies()[canon].klass if canon else None


def ancestors(name: str) -> set[str]:
    """Every broader concept of a condition (transitively), not including itself."""
    table = conditions()
    canon = canonical_condition(name)
    seen: set[str] = set()
    stack = list(table[canon].parents) if canon else []
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.add(parent)
            stack.extend(table[parent].parents)
    return seen


def is_a(child: str, parent: str) -> bool:
    """is_a('hepatocellular carcinoma', 'liver cancer') -> True (also True for the same concept)."""
    c, p = canonical_condition(child), canonical_condition(parent)
    if c is None or p is None:
        return False
    return c == p or p in ancestors(c)


def normalize_quantity(analyte_name: str, value: float, unit: str | None) -> Quantity:
    """A lab value in any accepted unit -> the analyte's canonical unit (or xULN).

    Raises ValueError naming the analyte and unit when the unit is unknown or does not fit.
    """
    item = analyte(analyte_name)
    spec = parse_unit(unit or "")
    if spec.token == "xULN":
        if not item.uln_ok:
            raise ValueError(f"{item.name}: thresholds relative to ULN are not supported")
        return Quantity(float(value), "xULN")
    raw = 10.0 ** float(value) if spec.log10 else float(value)
    factor = _factor(item.name, spec)
    return Quantity(_round(raw * factor), item.unit)


def _round(value: float) -> float:
    return float(f"{value:.6g}")


@lru_cache(maxsize=512)
def _factor(name: str, spec: UnitSpec) -> float:
    """Multiplier from `spec` to the canonical unit of analyte `name` (cached: pint is slow)."""
    item = analytes()[name]
    special = dict(item.per_analyte_units)
    if spec.token in special:
        return spec.scale * special[spec.token]
    canon = parse_unit(item.unit)
    if spec.token == "1" or canon.token == "1":
        if spec.token == canon.token:
            return 1.0
        raise ValueError(f"{name}: unit {spec.token!r} does not fit {item.unit!r}")
    if spec.token == "g/L" and canon.token.startswith("10^"):  # "G/L" = giga-cells per litre
        spec = UnitSpec("10^9/L", "1/L", 1e9)
    ureg = registry()
    source = ureg.Quantity(spec.scale, _pint_expr(spec, item))
    target = _pint_expr(canon, item)
    try:
        return float(source.to(target).magnitude) / canon.scale
    except Exception:  # pint DimensionalityError: maybe mass <-> molar
        if item.molar_mass:
            molar = ureg.Quantity(item.molar_mass, "g/mol")
            for bridged in (source / molar, source * molar):
                try:
                    return float(bridged.to(target).magnitude) / canon.scale
                except Exception:  # noqa: S112 - try the other direction
                    continue
    raise ValueError(f"{name}: unit {spec.token!r} cannot be converted to {item.unit!r}")


def _pint_expr(spec: UnitSpec, item: Analyte) -> str:
    # Enzyme activities: IU/L and U/L are the same thing for AST, ALT, ALP...
    if item.unit == "U/L" and spec.token in ("IU/L", "U/L"):
        return "U/L"
    return spec.pint_expr
