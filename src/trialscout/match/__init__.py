"""Patient-to-trial matching: a verdict per criterion, per trial, a ranked list, and questions.

`match_patient(db, patient)` ranks trials; `match_one(db, patient, trial_id)` judges one trial;
`MatchReport.to_dict()` is contract 3.
"""

from trialscout.match.candidates import OPEN_STATUSES, Where
from trialscout.match.engine import match_one, match_patient, match_trial, rank
from trialscout.match.evaluate import evaluate_criterion, trial_verdict
from trialscout.match.history import Scope
from trialscout.match.results import (
    Basis,
    CriterionVerdict,
    MatchReport,
    Question,
    RuleOutcome,
    TrialMatch,
    TrialVerdict,
    Verdict,
)
from trialscout.match.rules import evaluate_rule
from trialscout.match.view import PatientView

__all__ = [
    "OPEN_STATUSES",
    "Basis",
    "CriterionVerdict",
    "MatchReport",
    "PatientView",
    "Question",
    "RuleOutcome",
    "Scope",
    "TrialMatch",
    "TrialVerdict",
    "Verdict",
    "Where",
    "evaluate_criterion",
    "evaluate_rule",
    "match_one",
    "match_patient",
    "match_trial",
    "rank",
    "trial_verdict",
]
