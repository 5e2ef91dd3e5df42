"""Match a patient to trials: candidates from search, verdicts per criterion, one ranked list.

Pure with respect to storage: reads trials and the criteria parsed at ingest (one batch read
for the candidate list) through the `Database` it is given, writes nothing, logs nothing about
the patient.
"""

from __future__ import annotations

from datetime import date

from trialscout.match.candidates import Where, find_candidates
from trialscout.match.criteria_source import criteria_for, criteria_many
from trialscout.match.evaluate import evaluate_planned_trial, trial_verdict
from trialscout.match.plan import TrialPlan, plan_trial
from trialscout.match.questions import top_questions
from trialscout.match.results import MatchReport, TrialMatch
from trialscout.match.scoring import DEFAULT_SCORER, eligibility_score, normalize_relevance, scorer
from trialscout.match.view import PatientView
from trialscout.patient.model import Patient
from trialscout.registry.model import Trial
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

DEFAULT_CANDIDATES = 50


def match_trial(
    db: Database | None,
    trial: Trial,
    view: PatientView,
    *,
    relevance: float = 1.0,
    distance_km: float | None = None,
    scoring: str = DEFAULT_SCORER,
    parsed: dict | None = None,
    plan: TrialPlan | None = None,
) -> TrialMatch:
    """Judge every criterion of one trial for the patient and score it (`parsed`: contract-1
    criteria when the caller has them already, else the stored parse; `plan`: the trial
    prepared by `plan_trial(trial, parsed)` when the caller judges many patients)."""
    if plan is None:
        plan = plan_trial(trial, parsed if parsed is not None else criteria_for(db, trial))
    criteria = evaluate_planned_trial(plan, view)
    elig = eligibility_score(criteria)
    return TrialMatch(
        trial_id=trial.trial_id,
        nct_id=trial.nct_id or trial.trial_id,
        title=trial.title or "",
        verdict=trial_verdict(criteria),
        score=scorer(scoring)(relevance, elig),
        criteria=criteria,
        distance_km=distance_km,
        relevance=relevance,
        eligibility=elig,
    )


def match_one(
    db: Database, patient: Patient, trial_id: str, *, today: date | None = None
) -> MatchReport:
    """`--trial`: judge that one trial (raises TrialNotFound)."""
    trial = TrialStore(db).get(trial_id).trial
    view = PatientView(patient, today or date.today())
    result = match_trial(db, trial, view)
    return MatchReport([result], top_questions([result]))


def rank(
    db: Database | None,
    trials: list[Trial],
    relevance: list[float],
    view: PatientView,
    *,
    distances: list[float | None] | None = None,
    scoring: str = DEFAULT_SCORER,
    parsed: list[dict] | None = None,
) -> list[TrialMatch]:
    """Evaluate and order trials whose raw relevance scores are known (bench and library use)."""
    rel = normalize_relevance(relevance)
    dist = distances or [None] * len(trials)
    if parsed is None:
        stored = criteria_many(db, trials)
        parsed = [stored[t.trial_id] for t in trials]
    crit = parsed
    out = [
        match_trial(db, t, view, relevance=r, distance_km=d, scoring=scoring, parsed=c)
        for t, r, d, c in zip(trials, rel, dist, crit, strict=True)
    ]
    # Stable on ties: search order decides between equal scores.
    return sorted(out, key=lambda m: -m.score)


def match_patient(
    db: Database,
    patient: Patient,
    *,
    where: Where | None = None,
    limit: int = 10,
    candidates: int = DEFAULT_CANDIDATES,
    scoring: str = DEFAULT_SCORER,
    today: date | None = None,
) -> MatchReport:
    """Search candidates, evaluate the top `candidates`, return the best `limit` with questions."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    found = find_candidates(db, patient, where or Where(), max(limit, candidates))
    trials = TrialStore(db).get_many([c.trial_id for c in found])
    found = [c for c in found if c.trial_id in trials]
    view = PatientView(patient, today or date.today())
    ranked = rank(
        db,
        [trials[c.trial_id] for c in found],
        [c.relevance for c in found],
        view,
        distances=[c.distance_km for c in found],
        scoring=scoring,
    )
    top = ranked[:limit]
    return MatchReport(top, top_questions(top))
