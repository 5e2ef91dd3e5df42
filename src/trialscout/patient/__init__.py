"""Patients: one `Patient` model read from a profile (YAML/JSON), a FHIR R4 bundle, or a note.

`load_patient(path)` picks the reader from the file: `.txt` is a note, a JSON document with a
`resourceType` is FHIR, anything else YAML/JSON is a contract-2 profile; `profile_from_dict`
reads a plain mapping (questionnaire answers). Reading is bounded (size, depth, no YAML aliases)
and every bad file gives one `PatientError` naming it. Nothing here logs or stores patient content.
The matcher asks "how does the note state concept X?" with `note_mention`.
"""

from __future__ import annotations

from pathlib import Path

from trialscout.patient.fhir import bundle_to_patient, read_bundle
from trialscout.patient.limits import MAX_BUNDLE_BYTES, MAX_PROFILE_BYTES, parse_json, read_text
from trialscout.patient.model import (
    Assertion,
    ConditionFact,
    LabValue,
    Patient,
    PatientError,
    TherapyFact,
)
from trialscout.patient.note import NoteText, note_mention, note_to_patient, read_note
from trialscout.patient.profile import profile_from_dict, read_profile

__all__ = [
    "Assertion",
    "ConditionFact",
    "LabValue",
    "NoteText",
    "Patient",
    "PatientError",
    "TherapyFact",
    "bundle_to_patient",
    "load_patient",
    "note_mention",
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
        data = parse_json(read_text(path, MAX_BUNDLE_BYTES, "patient file"), str(path))
        if isinstance(data, dict) and "resourceType" in data:
            return bundle_to_patient(data, str(path))
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise PatientError(f"{path}: profile larger than {MAX_PROFILE_BYTES // 1_000_000} MB")
        return profile_from_dict(data, str(path))
    if name.endswith((".yaml", ".yml")):
        return read_profile(path)
    raise PatientError(
        f"{path}: unknown patient file type (use .yaml/.json profile, FHIR .json, or .txt note)"
    )
