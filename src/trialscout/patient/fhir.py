"""Read a FHIR R4 bundle (Synthea, mCODE, EHR exports) into a `Patient`.

Each resource we use is validated with the `fhir.resources.R4B` models (R4B is wire-compatible
with R4 for the resources read here); a resource that fails validation is reported with its entry
index and field. Codes keep their system ("icd10cm:C22.0"); the concept comes from
`vocab.by_code`, else the display name. Refuted and entered-in-error records are dropped,
resolved ones kept as past; dates are kept for time windows. A record is a complete history.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from trialscout import vocab
from trialscout.patient.fhir_obs import day, mapping, read_observation
from trialscout.patient.limits import MAX_BUNDLE_BYTES, check_depth, parse_json, read_text
from trialscout.patient.model import ConditionFact, Patient, PatientError, TherapyFact
from trialscout.vocab.icd import system_name

USED = (
    "Patient",
    "Condition",
    "Observation",
    "MedicationStatement",
    "MedicationRequest",
    "Procedure",
)
MAX_ENTRIES = 200_000


def read_bundle(path: str | Path, today: date | None = None) -> Patient:
    path = Path(path)
    data = parse_json(read_text(path, MAX_BUNDLE_BYTES, "FHIR bundle"), str(path))
    return bundle_to_patient(data, str(path), today)


def is_bundle(data: Any) -> bool:
    return isinstance(data, dict) and data.get("resourceType") in ("Bundle", "Patient")


def bundle_to_patient(data: Any, where: str = "bundle", today: date | None = None) -> Patient:
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise PatientError(f"{where}: resourceType must be 'Bundle'")
    check_depth(data, where)
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise PatientError(f"{where}: entry must be a list")
    if len(entries) > MAX_ENTRIES:
        raise PatientError(f"{where}: more than {MAX_ENTRIES} entries")
    p = Patient(source=where, complete_history=True)
    for i, entry in enumerate(entries):
        raw = entry.get("resource") if isinstance(entry, dict) else None
        kind = raw.get("resourceType") if isinstance(raw, dict) else None
        if kind not in USED:
            continue
        res = _validate(kind, raw, f"{where}: entry[{i}] ({kind})")
        _READERS[kind](p, res, today or date.today())
    if p.sex == "male":
        p.pregnant = False
    elif any(c.concept == "pregnancy" and c.current for c in p.conditions):
        p.pregnant = True  # a current pregnancy; a past one says nothing about now
    return p


def _validate(kind: str, raw: dict, where: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    try:
        return get_fhir_model_class(kind).model_validate(raw)
    except RecursionError:
        raise PatientError(f"{where}: nested too deeply") from None
    except Exception as exc:  # pydantic ValidationError; summarize the first failing field
        errors = getattr(exc, "errors", lambda: [])()
        field_path = ".".join(str(x) for x in errors[0]["loc"])[:120] if errors else "?"
        raise PatientError(f"{where}: invalid field {field_path!r}") from None


def clean(name: str) -> str:
    """'Tenofovir 300 MG Oral Product' -> 'tenofovir 300 mg'; '(disorder)' dropped. No regex."""
    text = " ".join(name.lower().split())
    for suffix in mapping()["display_suffixes"]:
        if text.endswith(" " + suffix) or text == suffix:
            text = text[: -len(suffix)].rstrip()
    return text


def codes(concept: Any) -> list[str]:
    """'system:code' for each coding, the system by its short name when vocab knows it."""
    out = []
    for c in (concept.coding or []) if concept is not None else []:
        if c.code:
            short = system_name(c.system) or (c.system or "").rsplit("/", 1)[-1]
            out.append(f"{short}:{c.code.strip()}")
    return out


def display(concept: Any) -> str | None:
    if concept is None:
        return None
    for coding in concept.coding or []:
        if coding.display:
            return clean(coding.display)
    return clean(concept.text) if concept.text else None


def concept_of(concept: Any, kind: str) -> tuple[str | None, bool]:
    """(vocab concept, exact) for a CodeableConcept: by code or by its whole name (exact), else
    the longest concept named inside the name ("secondary malignant neoplasm of liver")."""
    if concept is None:
        return None, False
    for c in concept.coding or []:
        if c.code:
            found = vocab.by_code(c.system or "", c.code)
            if found is not None and found.kind == kind:
                return found.id, True
    names = [clean(c.display) for c in concept.coding or [] if c.display]
    names += [clean(concept.text)] if concept.text else []
    for name in names:
        cid = vocab.canonical(name, kind)
        if cid:
            return cid, True
    for name in names:
        found = vocab.find(name, (kind,))
        if found:
            return max(found, key=lambda m: m.end - m.start).id, False
    return None, False


def _named(concept: Any, kind: str) -> tuple[str | None, str | None]:
    """(fact name, concept): the concept id when exact, else the record's own name, else its
    first code (a coded fact still matches by code)."""
    cid, exact = concept_of(concept, kind)
    if exact:
        return cid, cid
    found = codes(concept)
    return display(concept) or cid or (found[0] if found else None), cid


def _read_patient(p: Patient, res: Any, today: date) -> None:
    p.sex = res.gender if res.gender in ("male", "female") else None
    born = day(res.birthDate)
    if born:
        end = day(getattr(res, "deceasedDateTime", None)) or today
        p.age = float(end.year - born.year - ((end.month, end.day) < (born.month, born.day)))
    addr = (res.address or [None])[0]
    if addr is not None:
        fields = {"city": addr.city, "state": addr.state, "country": addr.country}
        p.location = {k: v for k, v in fields.items() if v}


def _status(concept: Any) -> str | None:
    return concept.coding[0].code if concept is not None and concept.coding else None


def _read_condition(p: Patient, res: Any, today: date) -> None:
    if _status(res.verificationStatus) in mapping()["dropped_verification"]:
        return
    name, cid = _named(res.code, "condition")
    if not name:
        return
    status = _status(res.clinicalStatus)
    onset = day(res.onsetDateTime) or day(getattr(res.onsetPeriod, "start", None))
    abated = day(res.abatementDateTime) or day(getattr(res.abatementPeriod, "end", None))
    if abated is None and status is None and res.abatementString:
        abated = onset  # abated at an unstated time: past, not current
    fact = ConditionFact(name, True, codes(res.code), onset, clinical_status=status, abated=abated)
    fact.concept = cid
    _add_condition(p, fact)


def _add_condition(p: Patient, fact: ConditionFact) -> None:
    """One fact per condition (same name and codes): earliest onset; current when any record
    of it is current."""
    for old in p.conditions:
        if old.name == fact.name and set(old.codes) == set(fact.codes):
            if fact.onset and (old.onset is None or fact.onset < old.onset):
                old.onset = fact.onset
            if fact.current or not old.current:
                old.clinical_status, old.abated = fact.clinical_status, fact.abated
            return
    p.conditions.append(fact)


def _read_medication(p: Patient, res: Any, today: date) -> None:
    if res.status in ("entered-in-error", "not-taken", "cancelled"):
        return
    concept = getattr(res, "medicationCodeableConcept", None)
    name, cid = _named(concept, "therapy")
    if not name:
        return
    period = getattr(res, "effectivePeriod", None)
    start = (
        day(getattr(res, "effectiveDateTime", None))
        or day(getattr(period, "start", None))
        or day(getattr(res, "authoredOn", None))
    )
    end = day(getattr(period, "end", None))
    _add_therapy(p, TherapyFact(name, True, end or start, codes(concept), start, end, concept=cid))


def _read_procedure(p: Patient, res: Any, today: date) -> None:
    if res.status not in ("completed", "in-progress"):
        return
    name, cid = _named(res.code, "therapy")
    if not name:
        return
    period = res.performedPeriod
    start = day(res.performedDateTime) or day(getattr(period, "start", None))
    end = day(getattr(period, "end", None)) or start
    _add_therapy(p, TherapyFact(name, True, end, codes(res.code), start, end, concept=cid))


def _add_therapy(p: Patient, fact: TherapyFact) -> None:
    """One fact per therapy: first start, last end and date."""
    for old in p.therapies:
        if old.name == fact.name:
            if fact.start and (old.start is None or fact.start < old.start):
                old.start = fact.start
            for attr in ("end", "date"):
                new = getattr(fact, attr)
                if new and (getattr(old, attr) is None or new > getattr(old, attr)):
                    setattr(old, attr, new)
            return
    p.therapies.append(fact)


_READERS = {
    "Patient": _read_patient,
    "Condition": _read_condition,
    "Observation": read_observation,
    "MedicationStatement": _read_medication,
    "MedicationRequest": _read_medication,
    "Procedure": _read_procedure,
}
