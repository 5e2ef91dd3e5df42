"""Read a FHIR R4 bundle (Synthea, mCODE, EHR exports) into a `Patient`.

Each resource we use is validated with the `fhir.resources.R4B` models (R4B is wire-compatible
with R4 for Patient, Condition, Observation, Medication*, Procedure); a resource that fails
validation is reported with its entry index and field, never silently half-read.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trialscout.patient.model import (
    ConditionFact,
    LabValue,
    Patient,
    PatientError,
    TherapyFact,
    normalize_name,
)
from trialscout.patient.units import analyte_for_loinc

USED = (
    "Patient",
    "Condition",
    "Observation",
    "MedicationStatement",
    "MedicationRequest",
    "Procedure",
)
LOINC = "http://loinc.org"
# Performance-status and staging observations become scores, not labs.
SCORE_LOINC = {
    "89247-1": "ecog",
    "89262-0": "ecog",
    "89243-0": "karnofsky",
    "21908-9": "stage",
    "21902-2": "stage",
}
_SUFFIX = re.compile(
    r"\s*\((?:disorder|finding|procedure|situation|morphologic abnormality|qualifier value)\)\s*$"
)
_PRODUCT = re.compile(r"\s+(?:oral|injectable|injetable|topical)?\s*product$", re.IGNORECASE)


def read_bundle(path: str | Path, today: date | None = None) -> Patient:
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PatientError(
            f"{path}: not a readable JSON FHIR bundle ({exc.__class__.__name__})"
        ) from None
    return bundle_to_patient(data, str(path), today)


def is_bundle(data: Any) -> bool:
    return isinstance(data, dict) and data.get("resourceType") in ("Bundle", "Patient")


def bundle_to_patient(data: Any, where: str = "bundle", today: date | None = None) -> Patient:
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise PatientError(f"{where}: resourceType must be 'Bundle'")
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise PatientError(f"{where}: entry must be a list")
    p = Patient(source=where)
    for i, entry in enumerate(entries):
        raw = (entry or {}).get("resource") if isinstance(entry, dict) else None
        kind = raw.get("resourceType") if isinstance(raw, dict) else None
        if kind not in USED:
            continue
        res = _validate(kind, raw, f"{where}: entry[{i}] ({kind})")
        _READERS[kind](p, res, today or date.today())
    return p


def _validate(kind: str, raw: dict, where: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    try:
        return get_fhir_model_class(kind).model_validate(raw)
    except Exception as exc:  # pydantic ValidationError; summarize the first failing field
        errors = getattr(exc, "errors", lambda: [])()
        field_path = ".".join(str(x) for x in errors[0]["loc"]) if errors else "?"
        raise PatientError(f"{where}: invalid field {field_path!r}") from None


def _text(concept: Any) -> str | None:
    if concept is None:
        return None
    for coding in concept.coding or []:
        if coding.display:
            return _clean(coding.display)
    return _clean(concept.text) if concept.text else None


def _clean(name: str) -> str:
    return normalize_name(_PRODUCT.sub("", _SUFFIX.sub("", name)))


def _codes(concept: Any) -> list[str]:
    if concept is None:
        return []
    return [
        f"{(c.system or '').rsplit('/', 1)[-1]}:{c.code}" for c in concept.coding or [] if c.code
    ]


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _read_patient(p: Patient, res: Any, today: date) -> None:
    p.sex = res.gender if res.gender in ("male", "female") else None
    born = _day(res.birthDate)
    if born:
        end = _day(getattr(res, "deceasedDateTime", None)) or today
        p.age = float(end.year - born.year - ((end.month, end.day) < (born.month, born.day)))
    addr = (res.address or [None])[0]
    if addr is not None:
        p.location = {k: v for k, v in {"city": addr.city, "country": addr.country}.items() if v}


def _status(concept: Any) -> str | None:
    return concept.coding[0].code if concept is not None and concept.coding else None


def _read_condition(p: Patient, res: Any, today: date) -> None:
    name = _text(res.code)
    if not name:
        return
    present = _status(res.verificationStatus) not in ("refuted", "entered-in-error")
    p.conditions.append(ConditionFact(name, present, _codes(res.code), _day(res.onsetDateTime)))


def _read_observation(p: Patient, res: Any, today: date) -> None:
    if res.status in ("entered-in-error", "cancelled"):
        return
    loinc = [c.code for c in (res.code.coding or []) if c.system == LOINC and c.code]
    when = _day(res.effectiveDateTime) or _day(getattr(res.effectivePeriod, "start", None))
    for code in loinc:
        if code in SCORE_LOINC:
            value = res.valueInteger if res.valueInteger is not None else _value_text(res)
            if value is not None:
                p.scores[SCORE_LOINC[code]] = str(value)
            return
        analyte = analyte_for_loinc(code)
        if analyte and res.valueQuantity is not None and res.valueQuantity.value is not None:
            _add_lab(p, analyte, res, when)
            return


def _value_text(res: Any) -> str | None:
    concept = res.valueCodeableConcept
    if concept is None:
        return None
    for c in concept.coding or []:
        return c.display or c.code
    return concept.text


def _add_lab(p: Patient, analyte: str, res: Any, when: date | None) -> None:
    q = res.valueQuantity
    old = p.labs.get(analyte)
    if old and old.date and when and when < old.date:
        return  # keep the latest value
    unit = q.code or q.unit or ""
    low = high = None
    for rr in res.referenceRange or []:
        low = float(rr.low.value) if rr.low is not None and rr.low.value is not None else low
        high = float(rr.high.value) if rr.high is not None and rr.high.value is not None else high
    cmp = q.comparator if q.comparator in ("<", "<=", ">", ">=") else None
    p.labs[analyte] = LabValue(analyte, float(q.value), unit, cmp, low, high, when)


def _read_medication(p: Patient, res: Any, today: date) -> None:
    if res.status in ("entered-in-error", "not-taken", "cancelled"):
        return
    concept = getattr(res, "medicationCodeableConcept", None)
    name = _text(concept)
    if not name:
        return
    when = (
        _day(getattr(res, "effectiveDateTime", None))
        or _day(getattr(getattr(res, "effectivePeriod", None), "start", None))
        or _day(getattr(res, "authoredOn", None))
    )
    _add_therapy(p, TherapyFact(name, True, when, _codes(concept)))


def _read_procedure(p: Patient, res: Any, today: date) -> None:
    if res.status not in ("completed", "in-progress"):
        return
    name = _text(res.code)
    if not name:
        return
    when = _day(res.performedDateTime) or _day(getattr(res.performedPeriod, "start", None))
    _add_therapy(p, TherapyFact(name, True, when, _codes(res.code)))


def _add_therapy(p: Patient, fact: TherapyFact) -> None:
    for old in p.therapies:
        if old.name == fact.name:
            if fact.date and (old.date is None or fact.date > old.date):
                old.date = fact.date
            return
    p.therapies.append(fact)


_READERS = {
    "Patient": _read_patient,
    "Condition": _read_condition,
    "Observation": _read_observation,
    "MedicationStatement": _read_medication,
    "MedicationRequest": _read_medication,
    "Procedure": _read_procedure,
}
