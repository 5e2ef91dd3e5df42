"""Read a contract-2 profile (YAML or JSON, or answers from the web questionnaire) into a `Patient`.

`profile_from_dict` is the one reader for a plain mapping, whatever it came from; `read_profile`
only adds bounded file loading. Errors name the file (or "profile") and the field, never the
value given: patient data stays out of messages.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

from trialscout import vocab
from trialscout.patient.limits import MAX_PROFILE_BYTES, check_depth, parse_yaml, read_text
from trialscout.patient.model import (
    Assertion,
    ConditionFact,
    LabValue,
    Patient,
    PatientError,
    TherapyFact,
    normalize_name,
    normalize_sex,
)
from trialscout.patient.values import QUALITATIVE, parse_lab
from trialscout.vocab.icd import normalize, system_name

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
    "complete_history",
}
_FACT_KEYS = {"name", "date", "present", "codes", "status", "start", "end", "onset", "abated"}
_LOCATION_KEYS = {"city", "country", "state", "lat", "lon", "postal_code"}
MAX_ITEMS = 500  # facts per list, labs, scores


def read_profile(path: str | Path) -> Patient:
    path = Path(path)
    data = parse_yaml(read_text(path, MAX_PROFILE_BYTES, "profile"), str(path))  # JSON is YAML
    return profile_from_dict(data, str(path))


def profile_from_dict(data: Any, where: str = "profile") -> Patient:
    """A Patient from a contract-2 mapping; raises PatientError naming `where` and the field."""
    if not isinstance(data, dict):
        raise PatientError(f"{where}: a profile must be a mapping of fields")
    check_depth(data, where)
    unknown = sorted(str(k)[:40] for k in set(data) - KNOWN_KEYS)
    if unknown:
        raise PatientError(
            f"{where}: unknown field(s) {unknown}; expected some of {sorted(KNOWN_KEYS)}"
        )
    p = Patient(source=where)
    p.age = _number(data.get("age"), f"{where}: age", 150)
    p.sex = normalize_sex(data.get("sex"), f"{where}: sex")
    p.conditions = _facts(data.get("conditions"), f"{where}: conditions", "condition", True)
    p.conditions += _facts(
        data.get("absent_conditions"), f"{where}: absent_conditions", "condition", False
    )
    p.therapies = _facts(data.get("therapies"), f"{where}: therapies", "therapy", True)
    p.therapies += _facts(
        data.get("absent_therapies"), f"{where}: absent_therapies", "therapy", False
    )
    p.scores = _scores(data.get("scores"), f"{where}: scores")
    p.labs = _labs(data.get("labs"), f"{where}: labs")
    p.life_expectancy_months = _number(
        data.get("life_expectancy_months"), f"{where}: life_expectancy_months", 1200
    )
    p.pregnant = _flag(data.get("pregnant"), f"{where}: pregnant")
    p.complete_history = bool(_flag(data.get("complete_history"), f"{where}: complete_history"))
    p.location = _location(data.get("location"), f"{where}: location")
    return p


def _flag(value: Any, where: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise PatientError(f"{where} must be true or false")
    return value


def _number(value: Any, where: str, high: float = math.inf) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PatientError(f"{where} must be a number")
    if isinstance(value, int) and value.bit_length() > 64:
        raise PatientError(f"{where} is out of range")
    if not math.isfinite(value) or value > high:
        raise PatientError(f"{where} must be at most {high:g}")
    if value < 0:
        raise PatientError(f"{where} must not be negative")
    return float(value)


def _date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise PatientError(f"{where}: date must be YYYY-MM-DD") from None


def _list(items: Any, where: str) -> list:
    if items is None:
        return []
    if not isinstance(items, list):
        raise PatientError(f"{where} must be a list")
    if len(items) > MAX_ITEMS:
        raise PatientError(f"{where}: more than {MAX_ITEMS} items")
    return items


def _codes(value: Any, where: str) -> list[str]:
    """Codes as "system:code" text, the system by vocab's short name ("icd-10-cm:c220" ->
    "icd10cm:C22.0"), so profile, FHIR and criteria codes compare equal."""
    items = _list(value, f"{where}.codes")
    if not all(isinstance(c, str) and ":" in c and len(c) <= 100 for c in items):
        raise PatientError(f"{where}.codes must be a list of 'system:code' strings")
    out = []
    for item in items:
        system, _, code = item.strip().rpartition(":")
        short = system_name(system) or system.strip().lower()
        code = normalize(code) if short == "icd10cm" else code.strip()
        out.append(f"{short}:{code}")
    return out


def _coded_concept(codes: list[str], kind: str) -> str | None:
    for item in codes:
        system, _, code = item.partition(":")
        found = vocab.by_code(system, code)
        if found is not None and found.kind == kind:
            return found.id
    return None


def _facts(items: Any, where: str, kind: str, present: bool) -> list:
    out = []
    for i, item in enumerate(_list(items, where)):
        here = f"{where}[{i}]"
        if isinstance(item, str) and item.strip():
            item = {"name": item}
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise PatientError(f"{here}: expected a name or a mapping with a name")
        extra = sorted(str(k)[:40] for k in set(item) - _FACT_KEYS)
        if extra:
            raise PatientError(
                f"{here}: unknown key(s) {extra}; expected some of {sorted(_FACT_KEYS)}"
            )
        if not item["name"].strip() or len(item["name"]) > 300:
            raise PatientError(f"{here}: name must be 1 to 300 characters")
        out.append(_fact(item, here, kind, present))
    return out


def _fact(item: dict, here: str, kind: str, present: bool) -> ConditionFact | TherapyFact:
    name = normalize_name(item["name"])
    stated = _flag(item.get("present"), f"{here}.present")
    has = present if stated is None else stated
    codes = _codes(item.get("codes"), here)
    canon = vocab.canonical(name, kind)
    cid = canon or _coded_concept(codes, kind)
    name = canon or name  # a name outside the vocabulary stays as given
    state = Assertion.PRESENT if has else Assertion.NEGATED
    status = item.get("status")
    if status is not None and (not isinstance(status, str) or len(status) > 40):
        raise PatientError(f"{here}.status must be a word such as active or resolved")
    if kind == "therapy":
        start = _date(item.get("start"), f"{here}.start")
        end = _date(item.get("end"), f"{here}.end")
        when = _date(item.get("date"), f"{here}") or end or start
        return TherapyFact(name, has, when, codes, start, end, state, cid)
    onset = _date(item.get("onset", item.get("date")), f"{here}")
    abated = _date(item.get("abated", item.get("end")), f"{here}.abated")
    return ConditionFact(
        name, has, codes, onset, state, status.lower() if status else None, abated, cid
    )


def _scores(data: Any, where: str) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict) or len(data) > MAX_ITEMS:
        raise PatientError(f"{where} must be a mapping such as {{ecog: 0}}")
    out = {}
    for k, v in data.items():
        key = normalize_name(str(k)[:60]).replace(" ", "_").replace("-", "_")
        if v is None or isinstance(v, list | dict | bool) or len(str(v)) > 20:
            raise PatientError(f"{where}.{key}: expected one value such as 0 or A")
        out[key] = str(v).strip()
    return out


def _labs(data: Any, where: str) -> dict[str, LabValue]:
    if data is None:
        return {}
    if not isinstance(data, dict) or len(data) > MAX_ITEMS:
        raise PatientError(f"{where} must be a mapping such as {{platelets: 150 10^9/L}}")
    out = {}
    for name, raw in data.items():
        key = vocab.canonical_analyte(str(name)[:60]) or normalize_name(str(name)[:60])
        here = f"{where}.{key}"
        extra: dict[str, Any] = {}
        if isinstance(raw, dict):
            extra, raw = raw, raw.get("value", raw.get("result"))
            unknown = set(extra) - {"value", "unit", "result", "date", "ref_low", "ref_high"}
            if unknown:
                raise PatientError(f"{here}: unknown key(s) {sorted(str(k)[:40] for k in unknown)}")
            if isinstance(raw, int | float) and not isinstance(raw, bool) and extra.get("unit"):
                raw = f"{raw} {extra['unit']}"
        value = parse_lab(key, raw, here)
        if value.result is None and isinstance(extra.get("result"), str):
            if extra["result"].lower() not in QUALITATIVE:
                raise PatientError(f"{here}.result must be one of {sorted(QUALITATIVE)}")
            value.result = extra["result"].lower()
        value.ref_low = _number(extra.get("ref_low"), f"{here}.ref_low")
        value.ref_high = _number(extra.get("ref_high"), f"{here}.ref_high")
        value.date = _date(extra.get("date"), here)
        out[key] = value
    return out


def _location(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PatientError(f"{where} must be a mapping (city, country, lat, lon)")
    unknown = sorted(str(k)[:40] for k in set(data) - _LOCATION_KEYS)
    if unknown:
        raise PatientError(f"{where}: unknown key(s) {unknown}; expected {sorted(_LOCATION_KEYS)}")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("lat", "lon"):
            limit = 90 if key == "lat" else 180
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise PatientError(f"{where}.{key} must be a number")
            if not math.isfinite(value) or abs(value) > limit:
                raise PatientError(f"{where}.{key} must be within ±{limit}")
            out[key] = float(value)
        elif value is not None:
            if not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > 100:
                raise PatientError(f"{where}.{key} must be text")
            out[key] = str(value).strip()
    return out
