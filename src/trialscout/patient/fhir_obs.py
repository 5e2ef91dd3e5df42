"""FHIR Observations -> lab values (canonical units, qualitative results) and scores.

Numbers come from `valueQuantity` (units through `vocab.to_canonical`); results from
`valueCodeableConcept`, `valueString` and `interpretation` ("HBsAg: Positive", "HBV DNA: Not
detected"). A value whose unit cannot be converted is left out rather than guessed. The latest
observation of an analyte wins.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml

from trialscout import vocab
from trialscout.patient.model import LabValue, Patient, PatientError
from trialscout.patient.note_values import canonical_result
from trialscout.patient.values import parse_lab, qualitative

LOINC = "http://loinc.org"


@cache
def mapping() -> dict[str, Any]:
    """data/fhir.yaml, checked: score codes, result codes, statuses, display suffixes."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("data/fhir.yaml").read_text())
    for key in ("scores", "result_codes"):
        if not isinstance(raw.get(key), dict):
            raise ValueError(f"fhir.yaml: {key!r} must be a mapping")
    results = set(raw["result_codes"].values())
    if not results <= {"positive", "negative", "detectable", "undetectable"}:
        raise ValueError(f"fhir.yaml: unknown results {sorted(results)}")
    for key in ("past_status", "dropped_verification", "display_suffixes"):
        if not isinstance(raw.get(key), list):
            raise ValueError(f"fhir.yaml: {key!r} must be a list")
    return raw


def day(value: Any) -> date | None:
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


def _analyte(res: Any) -> tuple[str | None, str | None]:
    """(score system, analyte) the observation's code names; LOINC first, then the name."""
    loinc = [c.code for c in (res.code.coding or []) if c.system == LOINC and c.code]
    for code in loinc:
        if code in mapping()["scores"]:
            return mapping()["scores"][code], None
        found = vocab.analyte_for_loinc(code)
        if found:
            return None, found
    names = [c.display for c in res.code.coding or [] if c.display] + [res.code.text or ""]
    for name in names:
        found = vocab.canonical_analyte(name) if name else None
        if found:
            return None, found
    return None, None


def _result(res: Any) -> str | None:
    """A qualitative result from the coded value, the text value or the interpretation."""
    concepts = [res.valueCodeableConcept, *(res.interpretation or [])]
    for concept in concepts:
        if concept is None:
            continue
        for c in concept.coding or []:
            found = mapping()["result_codes"].get(str(c.code)) if c.code else None
            found = found or (qualitative(c.display) if c.display else None)
            if found:
                return found
        if concept.text and qualitative(concept.text):
            return qualitative(concept.text)
    return None


def read_observation(p: Patient, res: Any, today: date) -> None:
    if res.status in ("entered-in-error", "cancelled"):
        return
    system, analyte = _analyte(res)
    if system is not None:
        value = res.valueInteger if res.valueInteger is not None else _value_text(res)
        if value is not None:
            p.scores[system] = str(value)
        return
    if analyte is None:
        return
    when = day(res.effectiveDateTime) or day(getattr(res.effectivePeriod, "start", None))
    old = p.labs.get(analyte)
    if old and old.date and when and when < old.date:
        return  # keep the latest value
    lab = _quantity(analyte, res) or _string(analyte, res)
    result = _result(res)
    if lab is None and result is not None:
        lab = LabValue(analyte, None, "")
    if lab is None:
        return
    if result is not None and lab.result is None:
        lab.result = canonical_result(analyte, result)
    lab.date = when
    p.labs[analyte] = lab


def _quantity(analyte: str, res: Any) -> LabValue | None:
    q = res.valueQuantity
    if q is None or q.value is None:
        return None
    try:
        converted = vocab.to_canonical(analyte, float(q.value), q.code or q.unit or "")
        low, high = _range(analyte, res, q.code or q.unit or "")
    except (vocab.UnitError, ValueError, OverflowError, ZeroDivisionError):
        return None
    cmp = q.comparator if q.comparator in ("<", "<=", ">", ">=") else None
    return LabValue(analyte, converted.value, converted.unit, cmp, low, high)


def _range(analyte: str, res: Any, unit: str) -> tuple[float | None, float | None]:
    low = high = None
    for rr in res.referenceRange or []:
        if rr.low is not None and rr.low.value is not None:
            low = vocab.to_canonical(analyte, float(rr.low.value), rr.low.code or unit).value
        if rr.high is not None and rr.high.value is not None:
            high = vocab.to_canonical(analyte, float(rr.high.value), rr.high.code or unit).value
    return low, high


def _string(analyte: str, res: Any) -> LabValue | None:
    if not res.valueString:
        return None
    try:
        return parse_lab(analyte, res.valueString, "valueString")
    except PatientError:
        return None


def _value_text(res: Any) -> str | None:
    concept = res.valueCodeableConcept
    if concept is None:
        return None
    for c in concept.coding or []:
        return c.display or c.code
    return concept.text
