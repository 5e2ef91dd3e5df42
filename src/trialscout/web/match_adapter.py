"""Calls the patient and match stages (issue 5) and returns contract 3 as a plain dict.

The only module that knows their entry points: `profile_from_dict` (contract 2 -> Patient),
`match_one` (one trial) and `match_patient` (ranked search over all trials).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trialscout.store.db import Database


def run(
    db: Database,
    profile: dict[str, Any],
    trial_ids: list[str] | None,
    limit: int,
    where: dict[str, Any],
    module: Callable[[str, str], Any],
) -> dict[str, Any]:
    patient_mod = module("patient", "trialscout.patient")
    match_mod = module("match", "trialscout.match")
    patient = patient_mod.profile_from_dict(profile, "profile")
    if trial_ids:
        results = [match_mod.match_one(db, patient, tid).results[0] for tid in trial_ids]
        return match_mod.MatchReport(results).to_dict()
    narrowed = {k: v for k, v in where.items() if v is not None}
    place = match_mod.Where(**narrowed) if narrowed else None
    return match_mod.match_patient(db, patient, where=place, limit=limit).to_dict()
