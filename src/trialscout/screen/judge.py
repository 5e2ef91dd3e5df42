"""One patient's resources -> the `Patient` model -> a verdict per trial, with the matcher as is.

The resources are put into a Bundle-shaped dict and read by `patient.fhir.bundle_to_patient`,
the same reader `trialscout match` uses on a bundle file; each trial is judged by
`match.engine.match_trial` with the criteria parsed at ingest. Nothing here logs, and errors
name the file and line of a resource, never its content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trialscout.match.engine import match_trial
from trialscout.match.plan import TrialPlan, plan_trial
from trialscout.match.questions import top_questions
from trialscout.match.results import TrialMatch, TrialVerdict, Verdict
from trialscout.match.view import PatientView
from trialscout.patient.fhir import bundle_to_patient
from trialscout.patient.model import Patient, PatientError
from trialscout.screen.export import Issue, Record, resources_hash, unpacked
from trialscout.screen.trials import TrialSet

MAX_BAD_RESOURCES = 50  # a patient with more invalid resources than this is reported, not read
CANDIDATE = (TrialVerdict.ELIGIBLE, TrialVerdict.POSSIBLY_ELIGIBLE)
MAX_LISTED = 8  # deciding criteria / open questions kept per row


@dataclass(slots=True)
class Judgement:
    """One patient x trial verdict; `deciding`/`questions` are filled for candidates only."""

    patient: str
    trial_id: str
    nct_id: str
    verdict: str
    score: float
    deciding: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PatientResult:
    patient: str
    hash: str
    judgements: list[Judgement]
    issues: list[Issue]
    reused: bool = False  # nothing changed: the previous run's judgements stand


def _entry_index(message: str) -> int | None:
    """The entry number in a reader error ('...: entry[3] (Condition): ...')."""
    head, sep, rest = message.partition("entry[")
    if not sep:
        return None
    num = rest.split("]", 1)[0]
    return int(num) if num.isdigit() else None


def build_patient(
    records: list[Record], today: date, where: str = "patient"
) -> tuple[Patient | None, list[Issue]]:
    """The patient model from its resources; an invalid resource is reported by file and line
    and left out (the rest of the record is still read)."""
    records = sorted(records, key=lambda r: (r.file, r.line))
    issues: list[Issue] = []
    for _ in range(MAX_BAD_RESOURCES + 1):
        bundle = {"resourceType": "Bundle", "entry": [{"resource": r.resource} for r in records]}
        try:
            return bundle_to_patient(bundle, where, today), issues
        except PatientError as exc:
            msg = str(exc)
            i = _entry_index(msg)
            if i is None or i >= len(records):
                issues.append(Issue(records[0].file if records else where, 0, _problem(msg)))
                return None, issues
            bad = records.pop(i)
            issues.append(Issue(bad.file, bad.line, _problem(msg)))
    return None, issues


def _problem(message: str) -> str:
    """The reader's message without the made-up bundle location ('patient: entry[3] ...')."""
    return message.split(": ", 1)[1] if ": " in message else message


def _deciding(m: TrialMatch) -> list[str]:
    if m.verdict == TrialVerdict.NOT_ELIGIBLE:
        chosen = m.failing
    else:
        chosen = [c for c in m.criteria if c.satisfied and c.verdict != Verdict.NOT_APPLICABLE]
    return [f"[{c.kind[:3]}] {c.text[:160]}: {c.reason[:160]}" for c in chosen[:MAX_LISTED]]


def to_judgement(patient_id: str, m: TrialMatch) -> Judgement:
    j = Judgement(patient_id, m.trial_id, m.nct_id, str(m.verdict), round(m.score, 4))
    if m.verdict in CANDIDATE:
        j.deciding = _deciding(m)
        j.questions = [q.text for q in top_questions([m], MAX_LISTED)] or _to_check(m)
    return j


def _to_check(m: TrialMatch) -> list[str]:
    """Unknown criteria no question can settle (text not computable): the study team checks."""
    unknown = [c for c in m.criteria if c.verdict == Verdict.UNKNOWN]
    return [f"check with the study team: {c.text[:160]}" for c in unknown[:MAX_LISTED]]


_PLANNED: tuple[TrialSet, dict[str, TrialPlan]] | None = None


def trial_plans(trials: TrialSet) -> dict[str, TrialPlan]:
    """The trials prepared for judging (`match.plan`), once per trial set in this process: a
    worker keeps the set it was sent, so its tasks share one preparation."""
    global _PLANNED
    if _PLANNED is None or _PLANNED[0] is not trials:
        plans = {tid: plan_trial(t, trials.parsed[tid]) for tid, t in trials.trials.items()}
        _PLANNED = (trials, plans)
    return _PLANNED[1]


def judge_patient(
    patient: Patient,
    patient_id: str,
    trials: TrialSet,
    today: date,
    plans: dict[str, TrialPlan] | None = None,
) -> list[Judgement]:
    """Every trial of the set for this patient (relevance 1: screening has no search rank)."""
    plans = plans if plans is not None else trial_plans(trials)
    view = PatientView(patient, today)
    return [
        to_judgement(patient_id, match_trial(None, trial, view, plan=plans[tid]))
        for tid, trial in trials.trials.items()
    ]


def screen_patient(
    patient_id: str,
    records: list[Record],
    trials: TrialSet,
    today: date,
    previous: dict[str, str],
    changed_trials: frozenset[str],
) -> PatientResult:
    """Judge one patient: all trials if the patient is new or changed, else only the trials
    that changed since the last run (`previous`: patient id -> resources hash)."""
    digest = f"{resources_hash(records)}:{_age_on(records, today)}"
    unchanged = previous.get(patient_id) == digest
    todo = trials.subset(set(changed_trials)) if unchanged else trials
    if unchanged and not len(todo):
        return PatientResult(patient_id, digest, [], [], reused=True)
    patient, issues = build_patient(records, today)
    if patient is None:
        return PatientResult(patient_id, digest, [], issues)
    return PatientResult(
        patient_id,
        digest,
        judge_patient(patient, patient_id, todo, today, trial_plans(trials)),
        issues,
        unchanged,
    )


def _age_on(records: list[Record], today: date) -> str:
    """Whole years of age on the run date: a birthday changes the patient's verdicts, so it
    is part of what makes a patient 'changed' (other date windows are not; see docs/screen.md)."""
    for r in records:
        born = r.resource.get("birthDate") if r.resource.get("resourceType") == "Patient" else None
        if isinstance(born, str):
            try:
                b = date.fromisoformat(born[:10])
            except ValueError:
                return "?"
            return str(today.year - b.year - ((today.month, today.day) < (b.month, b.day)))
    return "?"


def screen_group(
    groups: list[tuple[str, list[Any]]],
    trials: TrialSet,
    today: date,
    previous: dict[str, str],
    changed_trials: frozenset[str],
) -> list[PatientResult]:
    """A Dask partition: (patient id, packed or plain records) pairs from the join."""
    return [
        _guarded(pid, unpacked(items), trials, today, previous, changed_trials)
        for pid, items in groups
    ]


def _guarded(pid, recs, trials, today, previous, changed_trials) -> PatientResult:
    """A bug hit by one patient is reported (by file, with the error's type only: its message
    might quote patient data) and the run goes on with the others."""
    try:
        return screen_patient(pid, recs, trials, today, previous, changed_trials)
    except Exception as exc:  # noqa: BLE001 - any failure of one patient must not stop the run
        where = recs[0].file if recs else "?"
        line = recs[0].line if recs else 0
        problem = f"patient skipped: internal error ({type(exc).__name__})"
        return PatientResult(pid, "", [], [Issue(where, line, problem)])
