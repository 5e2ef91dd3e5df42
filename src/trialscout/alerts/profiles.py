"""Patient-profile alerts: "new or changed trials I may be eligible for".

The one place alerts call the patient and match stages. A changed trial is reported to a
profile subscription when it is open (recruiting or about to), is relevant to the profile (the
match stage's candidate search finds it), and the match verdict is eligible or possibly
eligible. The profile is stored only because the user saved it with the subscription; it is
never logged or shown in listings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from trialscout.alerts.errors import SavedSearchError, SubscriptionError
from trialscout.match import match_trial
from trialscout.match.candidates import Where, find_candidates
from trialscout.match.view import PatientView
from trialscout.patient import profile_from_dict
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
MAX_CANDIDATES = 1000  # relevant trials considered per profile per run
REPORTED = ("eligible", "possibly_eligible")


@dataclass(slots=True, frozen=True)
class ProfileMatch:
    trial_id: str
    verdict: str  # eligible | possibly_eligible
    unknown: int  # criteria the profile cannot answer

    def line(self) -> str:
        if self.verdict == "eligible":
            return "Match: you may be eligible (every criterion checked is met)"
        return (
            f"Match: possibly eligible ({self.unknown} criteria need information you did not give)"
        )


def validate_profile(profile: Any) -> dict[str, Any]:
    if not isinstance(profile, dict):
        raise SubscriptionError("a patient profile must be a mapping of fields (contract 2)")
    try:
        profile_from_dict(profile)
    except ValueError as exc:  # PatientError and friends carry the offending field
        raise SubscriptionError(f"cannot save this profile: {exc}") from None
    return profile


def open_trials(db: Database, trial_ids: list[str]) -> list[str]:
    out: list[str] = []
    marks_status = ",".join("?" * len(OPEN_STATUSES))
    for i in range(0, len(trial_ids), 500):
        chunk = trial_ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out.extend(
            r[0]
            for r in db.conn.execute(
                f"SELECT trial_id FROM trials WHERE trial_id IN ({marks}) "
                f"AND overall_status IN ({marks_status})",
                [*chunk, *OPEN_STATUSES],
            )
        )
    return out


def profile_matches(
    db: Database, profile: dict[str, Any], trial_ids: list[str], today: date | None = None
) -> list[ProfileMatch]:
    """Which of these (changed) trials the profile may be eligible for."""
    try:
        patient = profile_from_dict(profile)
        wanted = set(open_trials(db, trial_ids))
        if not wanted:
            return []
        relevant = {c.trial_id for c in find_candidates(db, patient, Where(), MAX_CANDIDATES)}
        view = PatientView(patient, today or date.today())
        found = []
        for tid, trial in TrialStore(db).get_many(sorted(wanted & relevant)).items():
            result = match_trial(db, trial, view)
            verdict = str(getattr(result.verdict, "value", result.verdict))
            if verdict in REPORTED:
                found.append(ProfileMatch(tid, verdict, result.counts.get("unknown", 0)))
        return found
    except ValueError as exc:
        raise SavedSearchError(f"saved profile can no longer be matched: {exc}") from None
