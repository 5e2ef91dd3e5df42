"""Free-text units -> canonical units per analyte: a regex normalizer in front of pint.

pint alone misreads registry spellings silently (`10*9/L` as 90/L, `K/uL` as kelvin, `109/L`
where a superscript was lost), so every accepted spelling is recognised here first and handed
to pint as an unambiguous expression. Conversion factors are cached per (analyte, unit), which
keeps parsing fast enough for ingest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_VOLUME = {
    "l": "L",
    "dl": "dL",
    "ml": "mL",
    "100ml": "dL",
    "µl": "uL",
    "μl": "uL",
    "ul": "uL",
    "mcl": "uL",
    "mm3": "uL",
    "mm³": "uL",
    "mm(3)": "uL",
    "cumm": "uL",
    "cu.mm": "uL",
    "cumm.": "uL",
    "mm^3": "uL",
}
_MASS = {
    "g": "g",
    "mg": "mg",
    "µg": "ug",
    "μg": "ug",
    "ug": "ug",
    "mcg": "ug",
    "ng": "ng",
    "pg": "pg",
}
_MOLAR = {
    "mmol": "mmol",
    "µmol": "umol",
    "μmol": "umol",
    "umol": "umol",
    "nmol": "nmol",
    "mol": "mol",
}

_VOL_RE = r"(?:100\s*ml|dl|ml|µl|μl|ul|mcl|mm\s*\(\s*3\s*\)|mm\^?3|mm³|cu\.?\s?mm|l)"


class Quantity(NamedTuple):
    """A value in the analyte's canonical unit (or `xULN`)."""

    value: float
    unit: str


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """What a unit string means: a pint expression times a scale, or a multiple of ULN."""

    token: str  # normalized spelling, e.g. "10^9/L", "mg/dL", "xULN", "copies/mL"
    pint_expr: str  # what pint is given ("" for ULN / dimensionless)
    scale: float = 1.0  # multiply the value by this before converting
    log10: bool = False  # value is a log10 of the quantity


def _vol(raw: str) -> str:
    key = re.sub(r"\s+", "", raw.lower())
    return _VOLUME.get(key, _VOLUME.get(key.replace("^", ""), "uL"))


def _count(m: re.Match) -> UnitSpec:
    exp = int(m.group("exp").translate(_SUPERSCRIPTS))
    vol = _vol(m.group("vol"))
    return UnitSpec(f"10^{exp}/{vol}", f"1/{vol}", 10.0**exp)


def _lost_superscript(m: re.Match) -> UnitSpec:
    """'× 109/L' is '× 10⁹/L' with the superscript flattened by copy-paste."""
    exp = int(m.group("exp"))
    vol = _vol(m.group("vol"))
    return UnitSpec(f"10^{exp}/{vol}", f"1/{vol}", 10.0**exp)


def _per_volume(m: re.Match) -> UnitSpec:
    vol = _vol(m.group("vol"))
    return UnitSpec(f"/{vol}", f"1/{vol}")


def _kilo_per_volume(m: re.Match) -> UnitSpec:
    vol = _vol(m.group("vol"))
    return UnitSpec(f"10^3/{vol}", f"1/{vol}", 1e3)


def _mass(m: re.Match) -> UnitSpec:
    mass = _MASS[m.group("mass").lower()]
    vol = _vol(m.group("vol"))
    return UnitSpec(f"{mass}/{vol}", f"{mass}/{vol}")


def _molar(m: re.Match) -> UnitSpec:
    amount = _MOLAR[m.group("mol").lower()]
    vol = _vol(m.group("vol"))
    return UnitSpec(f"{amount}/{vol}", f"{amount}/{vol}")


def _intl(m: re.Match) -> UnitSpec:
    unit = m.group("iu").lower()
    vol = _vol(m.group("vol"))
    name = {"iu": "IU", "u": "U", "miu": "mIU", "kiu": "kIU"}[unit]
    log = bool(m.group("log"))
    return UnitSpec(f"{name}/{vol}", f"{name}/{vol}", log10=log)


def _copies(m: re.Match) -> UnitSpec:
    vol = _vol(m.group("vol"))
    return UnitSpec(f"copies/{vol}", f"copies/{vol}", log10=bool(m.group("log")))


def _fixed(token: str, expr: str) -> Callable[[re.Match], UnitSpec]:
    return lambda _m: UnitSpec(token, expr)


_S = r"\s*"
_LOG = r"(?P<log>log\s*(?:10|₁₀)?\s*)?"
# Order matters: the first pattern that matches at the start of the unit text wins.
_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], UnitSpec]]] = [
    (
        re.compile(
            rf"(?:[x×*]{_S})?10{_S}(?:\^|\*\*|\*|e|E){_S}(?P<exp>\d{{1,2}}){_S}(?:cells{_S})?/{_S}(?P<vol>{_VOL_RE})",
            re.I,
        ),
        _count,
    ),
    (
        re.compile(
            rf"(?:[x×*]{_S})?10{_S}(?P<exp>[⁰¹²³⁴⁵⁶⁷⁸⁹]{{1,2}}){_S}(?:cells{_S})?/{_S}(?P<vol>{_VOL_RE})",
            re.I,
        ),
        _count,
    ),
    (
        re.compile(rf"[x×*]{_S}10(?P<exp>9|6|12|3){_S}(?:cells{_S})?/{_S}(?P<vol>{_VOL_RE})", re.I),
        _lost_superscript,
    ),
    (re.compile(rf"k{_S}/{_S}(?P<vol>µl|μl|ul|mcl|mm3|mm³)", re.I), _kilo_per_volume),
    (
        re.compile(
            rf"(?:cells{_S})?/{_S}(?P<vol>µl|μl|ul|mcl|mm\s*\(\s*3\s*\)|mm\^?3|mm³|cu\.?\s?mm)",
            re.I,
        ),
        _per_volume,
    ),
    (
        re.compile(rf"(?:cells{_S})?(?:per|/){_S}(?P<vol>cubic millimeters?|cubic mm)", re.I),
        lambda m: UnitSpec("/uL", "1/uL"),
    ),
    (re.compile(r"(?P<vol>mm\s*\(\s*3\s*\)|mm3|mm³)(?![\w/])", re.I), _per_volume),
    (
        re.compile(rf"ml{_S}/{_S}min(?:ute)?{_S}(?:/|per){_S}1[.,]73{_S}m(?:2|²|\^2|\s?sq)?", re.I),
        _fixed("mL/min/1.73m^2", "mL/min"),
    ),
    (re.compile(rf"(?:ml|cc){_S}/{_S}min(?:ute)?\b", re.I), _fixed("mL/min", "mL/min")),
    (re.compile(rf"ml{_S}per{_S}min(?:ute)?\b", re.I), _fixed("mL/min", "mL/min")),
    (re.compile(rf"{_LOG}copies{_S}/{_S}(?P<vol>ml|l)\b", re.I), _copies),
    (re.compile(rf"{_LOG}(?P<iu>iu|miu|kiu|u){_S}/{_S}(?P<vol>ml|l|dl)\b", re.I), _intl),
    (re.compile(rf"mmol{_S}/{_S}mol\b", re.I), _fixed("mmol/mol", "mmol/mol")),
    (re.compile(rf"(?P<mol>mmol|µmol|μmol|umol|nmol|mol){_S}/{_S}(?P<vol>dl|l)\b", re.I), _molar),
    (
        re.compile(rf"(?P<mass>mg|µg|μg|ug|mcg|ng|pg|g){_S}/{_S}(?P<vol>100\s*ml|dl|ml|l)\b", re.I),
        _mass,
    ),
    (re.compile(rf"kg{_S}/{_S}m(?:2|²|\^2)", re.I), _fixed("kg/m^2", "kg/m**2")),
    (re.compile(r"kg\b", re.I), _fixed("kg", "kg")),
    (re.compile(r"cm\b", re.I), _fixed("cm", "cm")),
    (re.compile(r"m\b"), _fixed("m", "m")),
    (re.compile(r"mm\s?hg\b", re.I), _fixed("mmHg", "mmHg")),
    (re.compile(r"%|percent\b", re.I), _fixed("%", "percent")),
    (re.compile(r"(?:msec|ms|milliseconds?)\b", re.I), _fixed("ms", "millisecond")),
    (re.compile(r"(?:seconds?|secs?|s)\b", re.I), _fixed("s", "second")),
]

_ULN = re.compile(
    r"(?:(?:[x×*]|times|fold)\s*)?(?:the\s+)?(?:institutional\s+|laboratory\s+|local\s+)?"
    r"(?:upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+(?:range|limit|value))?(?:\s*\(\s*uln\s*\))?"
    r"|upper\s+normal\s+limits?(?:\s*\(\s*uln\s*\))?|uln\b|upper\s+limits?\b)",
    re.I,
)


def match_unit(text: str) -> tuple[UnitSpec, int] | None:
    """The unit spelled at the start of `text` and how many characters it takes."""
    stripped = text.lstrip()
    lead = len(text) - len(stripped)
    m = _ULN.match(stripped)
    if m:
        return UnitSpec("xULN", ""), lead + m.end()
    for pattern, build in _PATTERNS:
        m = pattern.match(stripped)
        if m:
            return build(m), lead + m.end()
    return None


_UCUM = (("10*", "10^"), ("[iU]", "IU"), ("[IU]", "IU"), ("{copies}", "copies"), ("mm[Hg]", "mmHg"))
_ANNOTATION = re.compile(r"\{[^{}]{0,40}\}")


def from_ucum(unit: str) -> str:
    """UCUM spellings (FHIR Observations) in the hand-written form the patterns read."""
    text = unit
    for old, new in _UCUM:
        text = text.replace(old, new)
    text = text.replace("/{1.73_m2}", "/1.73m2")
    return _ANNOTATION.sub("", text).strip()


def parse_unit(unit: str) -> UnitSpec:
    """A whole unit string -> `UnitSpec`; raises ValueError naming the string if unknown."""
    text = from_ucum((unit or "").strip())
    if text in ("", "1"):
        return UnitSpec("1", "dimensionless")
    if text in ("10^9/L", "10^6/L", "10^12/L", "10^3/uL"):  # our own canonical spellings
        exp, vol = text[3:].split("/")
        return UnitSpec(text, f"1/{vol}", 10.0 ** int(exp))
    found = match_unit(text)
    if found is None or text[found[1] :].strip(" .;,)"):
        raise ValueError(f"unknown unit {unit!r}")
    return found[0]


@lru_cache(maxsize=1)
def registry():
    """A private pint registry with the units lab reports use but pint lacks."""
    import pint

    ureg = pint.UnitRegistry()
    ureg.define("international_unit = [international_unit] = IU")
    ureg.define("copy = [viral_copy] = copies")
    return ureg


def canonical_pint(unit: str) -> tuple[str, float]:
    """Pint expression and scale for a canonical unit spelling (e.g. '10^9/L')."""
    spec = parse_unit(unit)
    return spec.pint_expr, spec.scale
