"""Calls the patient and match stages (issue 5) and returns contract 3 as a plain dict.

The only module that knows their entry points: `profile_from_dict` (contract 2 -> Patient),
`match_one` (one trial) and `match_patient` (ranked search over all trials). A failing stage
raises; nothing here hides it.
"""

from __future__ import annotations

from typing import Any

from trialscout.match import MatchReport, Where, match_one, match_patient
from trialscout.patient import Patient, profile_from_dict
from trialscout.plain.arrange import Arranged, arrange
from trialscout.store.db import Database


def run(
    db: Database,
    patient: dict[str, Any] | Patient,
    trial_ids: list[str] | None,
    limit: int,
    where: dict[str, Any],
) -> dict[str, Any]:
    """Contract 3 for a contract-2 profile (or a Patient already read)."""
    if isinstance(patient, dict):
        patient = profile_from_dict(patient, "profile")
    if trial_ids:
        results = [match_one(db, patient, tid).results[0] for tid in trial_ids]
        return MatchReport(results).to_dict()
    narrowed = {k: v for k, v in where.items() if v is not None}
    if narrowed.get("status") in (["any"], ["ANY"]):
        narrowed["status"] = None
    return match_patient(db, patient, where=Where(**narrowed), limit=limit).to_dict()


def arranged(
    db: Database, patient: Patient, trial_id: str, answered: int, criteria: dict | None
) -> Arranged:
    """One trial's result arranged answer-first for the patient (plain words, questions)."""
    return arrange(match_one(db, patient, trial_id).results[0], answered, criteria)
