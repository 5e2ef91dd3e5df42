"""Search filters: what users type ('recruiting', 'phase 2', 'female') -> validated registry
values -> SQL conditions. Pure functions, so validation and escaping are tested without a DB."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from trialscout.search.errors import InvalidFilter
from trialscout.search.geo import check_point, country_key, key

STATUSES = (
    "RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING",
    "COMPLETED", "SUSPENDED", "TERMINATED", "WITHDRAWN", "UNKNOWN", "AVAILABLE",
    "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD",
)  # fmt: skip
STATUS_ALIASES = {"OPEN": ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")}
PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")
_PHASE_ALIASES = {
    "0": "EARLY_PHASE1", "EARLY1": "EARLY_PHASE1", "EARLYPHASE1": "EARLY_PHASE1",
    "1": "PHASE1", "I": "PHASE1", "2": "PHASE2", "II": "PHASE2", "3": "PHASE3", "III": "PHASE3",
    "4": "PHASE4", "IV": "PHASE4", "N/A": "NA", "NOTAPPLICABLE": "NA", "NONE": "NA",
}  # fmt: skip
STUDY_TYPES = ("INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS")
SEXES = {"MALE": "MALE", "M": "MALE", "MAN": "MALE", "FEMALE": "FEMALE", "F": "FEMALE",
         "WOMAN": "FEMALE"}  # fmt: skip
MAX_RADIUS_KM = 20_040.0


@dataclass(slots=True)
class SearchFilters:
    status: list[str] = field(default_factory=list)
    phase: list[str] = field(default_factory=list)
    study_type: list[str] = field(default_factory=list)
    sex: str | None = None  # the patient's sex: trials that accept it
    age: float | None = None  # the patient's age in years: trials whose age range admits it
    healthy_volunteers: bool | None = None
    has_results: bool | None = None
    country: str | None = None
    city: str | None = None
    near: str | None = None  # a place name, resolved through the gazetteer
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None

    def has_point(self) -> bool:
        return self.near is not None or self.lat is not None or self.lon is not None


def _upper_token(value: str) -> str:
    return "_".join(str(value).strip().upper().replace("-", " ").split())


def _one_of(name: str, value: str, allowed: tuple[str, ...], aliases: dict) -> list[str]:
    v = _upper_token(value)
    if v in allowed:
        return [v]
    if v in aliases:
        hit = aliases[v]
        return list(hit) if isinstance(hit, tuple) else [hit]
    squashed = v.replace("_", "")
    if name == "phase" and squashed.startswith("PHASE"):
        return _one_of(name, squashed[5:], allowed, aliases)
    if squashed in aliases:
        return [aliases[squashed]]
    shown = (*allowed, *aliases) if name == "status" else allowed
    valid = ", ".join(x.lower() for x in shown)
    raise InvalidFilter(f"unknown {name} {value!r}; valid: {valid}")


def _many(name: str, values, allowed, aliases=None) -> list[str]:
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values or []:
        for part in str(value).split(","):
            if part.strip():
                out += [v for v in _one_of(name, part, allowed, aliases or {}) if v not in out]
    return out


def _number(name: str, value, lo: float, hi: float) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidFilter(f"{name} must be a number, not {value!r}") from None
    if math.isnan(number) or not lo <= number <= hi:
        raise InvalidFilter(f"{name} {value!r} is out of range ({lo:g} to {hi:g})")
    return number


def normalize(filters: SearchFilters | None) -> SearchFilters:
    """A copy with canonical registry values; raises `InvalidFilter` naming the bad value."""
    f = filters or SearchFilters()
    sex = None
    if f.sex is not None and _upper_token(f.sex) not in ("", "ALL", "ANY"):
        sex = SEXES.get(_upper_token(f.sex))
        if sex is None:
            raise InvalidFilter(f"unknown sex {f.sex!r}; valid: male, female")
    out = replace(
        f,
        status=_many("status", f.status, STATUSES, STATUS_ALIASES),
        phase=_many("phase", f.phase, PHASES, _PHASE_ALIASES),
        study_type=_many("study type", f.study_type, STUDY_TYPES),
        sex=sex,
        age=_number("age", f.age, 0, 130),
        radius_km=_number("radius_km", f.radius_km, 0.001, MAX_RADIUS_KM),
        lat=_number("lat", f.lat, -90, 90),
        lon=_number("lon", f.lon, -180, 180),
        country=(f.country or "").strip() or None,
        city=(f.city or "").strip() or None,
        near=(f.near or "").strip() or None,
    )
    if out.near and (out.lat is not None or out.lon is not None):
        raise InvalidFilter("give either a place name (near) or lat/lon, not both")
    if out.lat is not None or out.lon is not None:
        check_point(out.lat, out.lon)
    if out.radius_km is not None and not out.has_point():
        raise InvalidFilter("a radius needs a place (near) or lat/lon to measure from")
    return out


def where_clause(f: SearchFilters, places: str = "d") -> tuple[str, list]:
    """SQL over `trials t JOIN search_docs d` for the non-geo filters of a normalized filter.
    With `places="t"` it is over `search_facets t` alone (which has the same columns)."""
    sql: list[str] = []
    params: list = []
    if f.status:
        sql.append(f"t.overall_status IN ({','.join('?' * len(f.status))})")
        params += f.status
    if f.phase:
        phases = "(',' || replace(coalesce(t.phases, ''), 'N,A', 'NA') || ',')"
        sql.append("(" + " OR ".join(f"instr({phases}, ?) > 0" for _ in f.phase) + ")")
        params += [f",{p}," for p in f.phase]
    if f.study_type:
        sql.append(f"t.study_type IN ({','.join('?' * len(f.study_type))})")
        params += f.study_type
    if f.sex:
        sql.append("(t.sex IS NULL OR t.sex IN ('ALL', ?))")
        params.append(f.sex)
    if f.age is not None:
        sql.append(
            "(t.min_age_years IS NULL OR t.min_age_years <= ?) "
            "AND (t.max_age_years IS NULL OR t.max_age_years >= ?)"
        )
        params += [f.age, f.age]
    for column, value in (("healthy_volunteers", f.healthy_volunteers),
                          ("has_results", f.has_results)):  # fmt: skip
        if value is not None:
            sql.append(f"coalesce(t.{column}, 0) = ?")
            params.append(int(bool(value)))
    if f.country:
        sql.append(f"instr({places}.countries, ?) > 0")
        params.append(f"|{country_key(f.country)}|")
    if f.city:
        sql.append(f"instr({places}.cities, ?) > 0")
        params.append(f"|{key(f.city)}|")
    return " AND ".join(sql), params
