"""Read a contract-2 profile (YAML or JSON) into a `Patient`, with errors naming file and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from trialscout.patient.model import (
    ConditionFact,
    LabValue,
    Patient,
    PatientError,
    TherapyFact,
    normalize_name,
    normalize_sex,
)
from trialscout.patient.units import UnitError, analyte_key, analytes, parse_quantity

KNOWN_KEYS = {
    "age",
    "sex",
    "conditions",
    "absent_conditions",
    "scores",
    "labs",
    "therapies",
    "absent_therapies",
    "location",
    "life_expectancy_months",
    "pregnant",
}


def read_profile(path: str | Path) -> Patient:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))  # JSON is YAML
    except yaml.YAMLError as exc:
        raise PatientError(f"{path}: not valid YAML/JSON ({exc.__class__.__name__})") from None
    return profile_from_dict(data, str(path))


def profile_from_dict(data: Any, where: str = "profile") -> Patient:
    if not isinstance(data, dict):
        raise PatientError(f"{where}: a profile must be a mapping of fields")
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise PatientError(
            f"{where}: unknown field(s) {sorted(unknown)}; expected some of {sorted(KNOWN_KEYS)}"
        )
    p = Patient(source=where)
    p.age = _number(data.get("age"), f"{where}: age")
    p.sex = normalize_sex(data.get("sex"), f"{where}: sex")
    p.conditions = _facts(data.get("conditions"), f"{where}: conditions", ConditionFact, True)
    p.conditions += _facts(
        data.get("absent_conditions"), f"{where}: absent_conditions", ConditionFact, False
    )
    p.therapies = _facts(data.get("therapies"), f"{where}: therapies", TherapyFact, True)
    p.therapies += _facts(
        data.get("absent_therapies"), f"{where}: absent_therapies", TherapyFact, False
    )
    p.scores = _scores(data.get("scores"), f"{where}: scores")
    p.labs = _labs(data.get("labs"), f"{where}: labs")
    p.life_expectancy_months = _number(
        data.get("life_expectancy_months"), f"{where}: life_expectancy_months"
    )
    preg = data.get("pregnant")
    if preg is not None and not isinstance(preg, bool):
        raise PatientError(f"{where}: pregnant must be true or false")
    p.pregnant = preg
    loc = data.get("location") or {}
    if not isinstance(loc, dict):
        raise PatientError(f"{where}: location must be a mapping (city, country, lat, lon)")
    p.location = loc
    return p


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PatientError(f"{where} must be a number, not {value!r}")
    if value < 0:
        raise PatientError(f"{where} must not be negative")
    return float(value)


def _date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise PatientError(f"{where}: date must be YYYY-MM-DD, not {value!r}") from None


def _facts(items: Any, where: str, cls: type, present: bool) -> list:
    if items is None:
        return []
    if not isinstance(items, list):
        raise PatientError(f"{where} must be a list")
    out = []
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        if isinstance(item, str) and item.strip():
            out.append(cls(normalize_name(item), present))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            extra = set(item) - {"name", "date", "present", "codes"}
            if extra:
                raise PatientError(f"{here}: unknown key(s) {sorted(extra)}")
            fact = cls(normalize_name(item["name"]), bool(item.get("present", present)))
            fact.codes = [str(c) for c in item.get("codes") or []]
            when = _date(item.get("date"), here)
            if cls is TherapyFact:
                fact.date = when
            else:
                fact.onset = when
            out.append(fact)
        else:
            raise PatientError(f"{here}: expected a name or {{name: ..}}, not {item!r}")
    return out


def _scores(data: Any, where: str) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PatientError(f"{where} must be a mapping such as {{ecog: 0}}")
    out = {}
    for k, v in data.items():
        if v is None or isinstance(v, list | dict):
            raise PatientError(f"{where}.{k}: expected one value, not {v!r}")
        out[normalize_name(str(k)).replace(" ", "_").replace("-", "_")] = str(v).strip()
    return out


def _labs(data: Any, where: str) -> dict[str, LabValue]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PatientError(f"{where} must be a mapping such as {{platelets: 150 10^9/L}}")
    out = {}
    for name, raw in data.items():
        here = f"{where}.{name}"
        key = analyte_key(str(name))
        extra: dict[str, Any] = {}
        if isinstance(raw, dict):
            extra, raw = raw, raw.get("value")
        try:
            m = parse_quantity(raw)
        except UnitError as exc:
            raise PatientError(f"{here}: {exc}") from None
        unit = m.unit or (analytes()[key].unit if key in analytes() else "")
        out[key] = LabValue(
            key,
            m.value,
            unit,
            m.comparator,
            _number(extra.get("ref_low"), f"{here}.ref_low"),
            _number(extra.get("ref_high"), f"{here}.ref_high"),
            _date(extra.get("date"), here),
        )
    return out
