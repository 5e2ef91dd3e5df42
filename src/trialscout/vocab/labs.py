"""Lab analytes and conversion of any accepted unit to the analyte's canonical unit.

One unit layer for criteria and patients. Common units convert by a small table of prefixes
(mass, amount, volume, counts, international units) with no unit registry to build, so a `match`
process starts fast; molar mass bridges mass and amount, per-analyte `factors` bridge copies and
IU, and `affine` conversions cover what a ratio gets wrong (HbA1c 55 mmol/mol is 7.2 %, not
5.5 %). pint is asked only for a unit outside the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from trialscout.vocab.load import read, terms
from trialscout.vocab.units import Quantity, UnitSpec, parse_unit, registry


class UnitError(ValueError):
    """A unit that cannot be read, or that does not fit the analyte."""


@dataclass(frozen=True, slots=True)
class Analyte:
    name: str
    unit: str  # canonical unit ("xULN" is accepted too when uln_ok)
    aliases: tuple[str, ...] = ()
    pint: str = ""
    uln_ok: bool = False
    molar_mass: float | None = None
    factors: tuple[tuple[str, float], ...] = ()  # unit token -> multiplier to canonical
    affine: tuple[tuple[str, float, float], ...] = ()  # unit token, scale, offset
    loinc: tuple[str, ...] = ()
    qualitative: bool = False  # may be reported as positive / negative / (un)detectable
    bare: tuple[tuple[str, float, float], ...] = ()  # unit, lowest, highest: a unitless number


_FIELDS = {
    "unit",
    "pint",
    "uln_ok",
    "molar_mass",
    "factors",
    "affine",
    "loinc",
    "aliases",
    "qualitative",
    "bare",
}


@cache
def analytes() -> dict[str, Analyte]:
    out = {}
    for name, entry in read("labs.yaml").items():
        where = f"labs.yaml: {name!r}"
        if not isinstance(entry, dict) or not isinstance(entry.get("unit"), str):
            raise ValueError(f"{where}: needs a canonical 'unit'")
        unknown = set(entry) - _FIELDS
        if unknown:
            raise ValueError(f"{where}: unknown fields {sorted(unknown)}")
        try:
            factors = tuple(
                (parse_unit(k).token, float(v)) for k, v in (entry.get("factors") or {}).items()
            )
            affine = tuple(
                (parse_unit(k).token, float(v["scale"]), float(v["offset"]))
                for k, v in (entry.get("affine") or {}).items()
            )
            parse_unit(entry["unit"])
            bare = _bare(entry.get("bare") or [])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{where}: {exc}") from None
        out[name] = Analyte(
            name=name,
            unit=entry["unit"],
            aliases=terms(entry, "aliases", where),
            pint=entry.get("pint", ""),
            uln_ok=bool(entry.get("uln_ok", False)),
            molar_mass=entry.get("molar_mass"),
            factors=factors,
            affine=affine,
            loinc=tuple(str(c) for c in entry.get("loinc") or ()),
            qualitative=bool(entry.get("qualitative", False)),
            bare=bare,
        )
    return out


def _bare(entries: list) -> tuple[tuple[str, float, float], ...]:
    """Ranges in which a number written without a unit can only mean one unit; ranges of one
    analyte must not overlap, or a number in both would be read one way by accident."""
    out = []
    for e in entries:
        parse_unit(e["unit"])
        out.append((e["unit"], float(e["from"]), float(e["to"])))
    ordered = sorted(out, key=lambda r: r[1])
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b[1] <= a[2]:
            raise ValueError(f"bare ranges {a[0]} and {b[0]} overlap")
    return tuple(out)


def bare_unit(analyte: str, value: float) -> str | None:
    """The unit a number given without one must be in ('hematocrit < 25' is 25 %), or None
    when the analyte has no such reading or the number fits none of its ranges."""
    item = analytes().get(analyte)
    if item is None:
        return None
    return next((unit for unit, lo, hi in item.bare if lo <= value <= hi), None)


@cache
def _alias_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for a in analytes().values():
        for alias in (a.name, a.name.replace("_", " "), *a.aliases):
            out.setdefault(alias, a.name)
    return out


@lru_cache(maxsize=4096)  # the matcher asks it for every lab of every patient, per trial
def canonical_analyte(name: str) -> str | None:
    """'Hb', 'haemoglobin' -> 'hemoglobin'; None when unknown."""
    key = " ".join(name.strip().lower().split())
    return _alias_index().get(key) or _alias_index().get(key.replace("_", " "))


def analyte(name: str) -> Analyte:
    """The analyte for a name or alias (raises UnitError when unknown)."""
    canon = canonical_analyte(name)
    if canon is None:
        raise UnitError(f"unknown analyte {name!r}")
    return analytes()[canon]


@cache
def _loinc_index() -> dict[str, str]:
    return {code: a.name for a in analytes().values() for code in a.loinc}


def analyte_for_loinc(code: str) -> str | None:
    return _loinc_index().get(code.strip())


def to_canonical(name: str, value: float, unit: str | None) -> Quantity:
    """A value in any accepted unit -> the analyte's canonical unit (or xULN).

    Raises UnitError naming the analyte and the unit when the unit is unknown or does not fit.
    """
    item = analyte(name)
    try:
        spec = parse_unit(unit or "")
    except ValueError as exc:
        raise UnitError(f"{item.name}: {exc}") from None
    if spec.token == "xULN":
        if not item.uln_ok:
            raise UnitError(f"{item.name}: thresholds relative to ULN are not supported")
        return Quantity(float(value), "xULN")
    raw = 10.0 ** float(value) if spec.log10 else float(value)
    for token, scale, offset in item.affine:
        if token == spec.token:
            return Quantity(_round(raw * scale + offset), item.unit)
    return Quantity(_round(raw * factor(item.name, spec)), item.unit)


def _round(value: float) -> float:
    return float(f"{value:.6g}")


# Prefix tables: multiplier of each spelling to the base unit of its dimension.
_MASS = {"g": 1.0, "mg": 1e-3, "ug": 1e-6, "ng": 1e-9, "pg": 1e-12}
_AMOUNT = {"mol": 1.0, "mmol": 1e-3, "umol": 1e-6, "nmol": 1e-9}
_ENZYME = {"IU": 1.0, "U": 1.0, "mIU": 1e-3, "kIU": 1e3}
_VOLUME = {"L": 1.0, "dL": 0.1, "mL": 1e-3, "uL": 1e-6}


def _split(spec: UnitSpec) -> tuple[str, float, float] | None:
    """(dimension, numerator scale, per-volume scale) for a concentration token, else None."""
    if "/" not in spec.token or spec.token.count("/") != 1:
        return None
    num, vol = spec.token.split("/")
    if vol not in _VOLUME:
        return None
    if num.startswith("10^") or num == "":
        return "count", spec.scale, _VOLUME[vol]
    for dim, table in (("mass", _MASS), ("amount", _AMOUNT), ("enzyme", _ENZYME)):
        if num in table:
            return dim, table[num], _VOLUME[vol]
    if num == "copies":
        return "copies", 1.0, _VOLUME[vol]
    return None


@lru_cache(maxsize=1024)
def factor(name: str, spec: UnitSpec) -> float:
    """Multiplier from `spec` to the canonical unit of analyte `name`."""
    item = analytes()[name]
    special = dict(item.factors)
    if spec.token in special:
        return spec.scale * special[spec.token]
    canon = parse_unit(item.unit)
    if spec.token == canon.token:
        return spec.scale / canon.scale
    if spec.token == "g/L" and canon.token.startswith("10^"):  # "G/L" = giga-cells per litre
        return 1e9 / canon.scale
    a, b = _split(spec), _split(canon)
    if a and b:
        ratio = (a[1] / a[2]) / (b[1] / b[2])
        if a[0] == b[0]:
            return ratio
        if item.molar_mass and {a[0], b[0]} == {"mass", "amount"}:
            return ratio / item.molar_mass if a[0] == "mass" else ratio * item.molar_mass
    if "1" in (spec.token, canon.token):
        raise UnitError(f"{name}: unit {spec.token!r} does not fit {item.unit!r}")
    return _pint_factor(item, spec, canon)


def _pint_factor(item: Analyte, spec: UnitSpec, canon: UnitSpec) -> float:
    """The unusual units: ask pint (built once, only when needed)."""
    ureg = registry()
    try:
        source = ureg.Quantity(spec.scale, spec.pint_expr)
        return float(source.to(item.pint or canon.pint_expr).magnitude) / canon.scale
    except Exception:  # pint raises many kinds (DimensionalityError, UndefinedUnitError, ...)
        raise UnitError(
            f"{item.name}: unit {spec.token!r} cannot be converted to {item.unit!r}"
        ) from None
