"""Patients: one `Patient` model read from a profile (YAML/JSON), a FHIR R4 bundle, or a note.

`load_patient(path)` picks the reader from the file: `.txt` is a note, a JSON document with a
`resourceType` is FHIR, anything else YAML/JSON is a contract-2 profile. Nothing here logs
or stores patient content.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from trialscout.patient.fhir import bundle_to_patient, read_bundle
from trialscout.patient.model import ConditionFact, LabValue, Patient, PatientError, TherapyFact
from trialscout.patient.note import NoteText, note_to_patient, read_note
from trialscout.patient.profile import profile_from_dict, read_profile

__all__ = [
    "ConditionFact",
    "LabValue",
    "NoteText",
    "Patient",
    "PatientError",
    "TherapyFact",
    "bundle_to_patient",
    "load_patient",
    "note_to_patient",
    "profile_from_dict",
    "read_bundle",
    "read_note",
    "read_profile",
]


def load_patient(path: str | Path) -> Patient:
    """Read any supported patient file; raises PatientError naming the file and field."""
    path = Path(path)
    if not path.is_file():
        raise PatientError(f"{path}: no such patient file")
    name = path.name.lower()
    if name.endswith((".txt", ".note", ".md")):
        return read_note(path)
    if name.endswith((".json", ".json.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PatientError(f"{path}: not valid JSON ({exc.__class__.__name__})") from None
        if isinstance(data, dict) and "resourceType" in data:
            return bundle_to_patient(data, str(path))
        return profile_from_dict(data, str(path))
    if name.endswith((".yaml", ".yml")):
        return read_profile(path)
    raise PatientError(
        f"{path}: unknown patient file type (use .yaml/.json profile, FHIR .json, or .txt note)"
    )
