"""Lab analytes and unit conversion.

Patients bring values in whatever unit their lab used (mg/dL, 10*3/uL, K/uL, copies/mL); criteria
state thresholds in another. Everything goes through UCUM (ucumvert's pint registry reads UCUM
correctly, plain pint misreads `10*9/L`), after a small normalizer for hand-written spellings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any


class UnitError(ValueError):
    """A unit that cannot be read, or two units that cannot be compared."""


@dataclass(frozen=True, slots=True)
class Analyte:
    key: str
    unit: str
    aliases: tuple[str, ...]
    loinc: tuple[str, ...]
    molar_mass: float | None = None
    copies_per_iu: float | None = None


@cache
def analytes() -> dict[str, Analyte]:
    """The analyte vocabulary (validated: every entry needs aliases, loinc and unit)."""
    raw = json.loads(resources.files(__package__).joinpath("data/analytes.json").read_text("utf-8"))
    out: dict[str, Analyte] = {}
    for key, spec in raw["analytes"].items():
        missing = {"aliases", "loinc", "unit"} - spec.keys()
        if missing:
            raise ValueError(f"analytes.json: analyte {key!r} lacks {sorted(missing)}")
        unknown = spec.keys() - {"aliases", "loinc", "unit", "molar_mass", "copies_per_iu"}
        if unknown:
            raise ValueError(f"analytes.json: analyte {key!r} has unknown keys {sorted(unknown)}")
        out[key] = Analyte(
            key,
            spec["unit"],
            tuple(spec["aliases"]),
            tuple(spec["loinc"]),
            spec.get("molar_mass"),
            spec.get("copies_per_iu"),
        )
    return out


@cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for a in analytes().values():
        for name in (a.key, *a.aliases):
            index[_norm_name(name)] = a.key
    return index


@cache
def _loinc_index() -> dict[str, str]:
    return {code: a.key for a in analytes().values() for code in a.loinc}


def _norm_name(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


def analyte_key(name: str) -> str:
    """Canonical key for an analyte name or alias; unknown names pass through normalized."""
    norm = _norm_name(name)
    return _alias_index().get(norm, norm.replace(" ", "_"))


def analyte_for_loinc(code: str) -> str | None:
    return _loinc_index().get(code.strip())


# ---- units -----------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"^\s*[x×*]\s*(?=10)", ""),  # "x10^9/L"
    (r"^10\s*(?:\^|\*|\*\*|e)\s*(\d+)\s*", r"10*\1"),  # 10^9/L, 10e9/L
    (r"^10\s+(\d+)\s*(?=/)", r"10*\1"),  # "10 9/L" after superscripts were lost
    (r"^(?:k|thou)\s*/", "10*3/"),  # K/uL
    (r"\bcells?\s*/", "/"),
    (r"\bcopies\b", "{copies}"),
    (r"(?:\[iU\]|\[IU\]|\bIU\b|\biu\b|\bU\b)", "{iu}"),  # IU = U, counted, for every lab here
    (r"mmhg", "mm[Hg]"),
    (r"/\s*1\.73\s*m\^?2", ""),  # eGFR normalization is implicit on both sides
    (r"/\s*\{1\.73_m2\}", ""),
    (r"m\^2", "m2"),
    (r"mcg", "ug"),
    (r"\s+", ""),
)


def normalize_unit(unit: str) -> str:
    """A hand-written or UCUM unit in the UCUM spelling ucumvert accepts."""
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), unit)
    text = text.strip().replace("µ", "u").replace("μ", "u")
    text = re.sub(r"\^\s*(\d)", r"^\1", text)
    for pattern, repl in _REWRITES:
        text = re.sub(pattern, repl, text, flags=re.IGNORECASE if pattern.islower() else 0)
    text = re.sub(r"\{(?!copies|iu)[^}]*\}", "", text)  # UCUM annotations such as {INR}
    text = text.rstrip("/")
    if text in ("", "ratio", "1", "index"):
        return "1"
    return text


@cache
def _registry() -> Any:
    from ucumvert import PintUcumRegistry

    return PintUcumRegistry()


@lru_cache(maxsize=1024)
def _quantity(ucum: str) -> Any:
    reg = _registry()
    if ucum == "1":
        return reg.from_ucum("%") * 100
    text = re.sub(r"\{[^}]*\}", "", ucum)
    if text.startswith(("1/", "/")):
        return 1 / reg.from_ucum(text.split("/", 1)[1])
    try:
        return reg.from_ucum(text or "1")
    except Exception as exc:  # ucumvert raises lark and pint errors of many kinds
        raise UnitError(f"unknown unit {ucum!r}") from exc


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str, analyte: str | None = None) -> float:
    """Multiply a value in `from_unit` by this to express it in `to_unit` (raises UnitError)."""
    a, b = normalize_unit(from_unit), normalize_unit(to_unit)
    if a == b:
        return 1.0
    spec = analytes().get(analyte) if analyte else None
    extra = 1.0
    if ("{copies}" in a) != ("{copies}" in b):
        if not spec or not spec.copies_per_iu:
            raise UnitError(f"cannot compare {from_unit!r} with {to_unit!r} for {analyte}")
        extra = 1 / spec.copies_per_iu if "{copies}" in a else spec.copies_per_iu
    qa, qb = _quantity(a), _quantity(b)
    try:
        ratio = (qa / qb).to("dimensionless").magnitude
    except Exception:
        ratio = _molar_ratio(qa, qb, spec, from_unit, to_unit)
    return float(ratio) * extra


def _molar_ratio(qa: Any, qb: Any, spec: Analyte | None, from_unit: str, to_unit: str) -> float:
    """mass/volume <-> substance/volume through the analyte's molar mass."""
    if spec is None or spec.molar_mass is None:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}")
    mm = _quantity("g/mol") * spec.molar_mass
    for candidate in (qa / mm / qb, qa * mm / qb):
        try:
            return candidate.to("dimensionless").magnitude
        except Exception:
            continue
    raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r} for {spec.key}")


def convert(value: float, from_unit: str, to_unit: str, analyte: str | None = None) -> float:
    return value * conversion_factor(from_unit, to_unit, analyte)


_QTY = re.compile(
    r"^\s*(?P<cmp><=|>=|<|>|≤|≥)?\s*(?P<num>[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*(?P<unit>.*?)\s*$"
)


@dataclass(frozen=True, slots=True)
class Measured:
    value: float
    unit: str
    comparator: str | None = None  # "<" for "below 20 IU/mL" (e.g. undetectable viral load)


def parse_quantity(text: str | int | float) -> Measured:
    """'128 g/L', '1.2 xULN', '<20 IU/mL', '150 10^9/L' -> Measured (raises UnitError)."""
    if isinstance(text, bool):
        raise UnitError(f"not a quantity: {text!r}")
    if isinstance(text, int | float):
        return Measured(float(text), "")
    m = _QTY.match(str(text))
    if not m:
        raise UnitError(f"not a quantity: {text!r}")
    cmp = {"≤": "<=", "≥": ">="}.get(m["cmp"] or "", m["cmp"])
    unit = m["unit"].strip()
    if re.fullmatch(r"[x×]?\s*uln", unit, re.IGNORECASE):
        unit = "xULN"
    return Measured(float(m["num"].replace(",", ".")), unit, cmp)
