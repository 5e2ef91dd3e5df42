"""Criterion and trial verdicts on hand-written contract-1 criteria (the fixed contract)."""

from __future__ import annotations

import pytest

from trialscout.match.evaluate import evaluate_criteria, evaluate_criterion, trial_verdict
from trialscout.match.questions import top_questions
from trialscout.match.results import Basis, TrialMatch, TrialVerdict, Verdict
from trialscout.match.scoring import eligibility_score, scorer
from trialscout.registry.model import Eligibility, Trial


def _trial(criteria_text: str | None = "see parsed", **elig) -> Trial:
    return Trial(
        trial_id="NCT04163237",
        nct_id="NCT04163237",
        brief_title="PD-1 + sorafenib",
        eligibility=Eligibility(criteria=criteria_text, **elig),
    )


def test_reference_trial_possibly_eligible(criteria_003, hcc_patient_dict, make_view):
    verdicts = evaluate_criteria(_trial(), criteria_003, make_view(hcc_patient_dict))
    by_text = {v.text: v for v in verdicts}
    assert (
        by_text["Pathological diagnosis of primary hepatocellular carcinoma"].verdict == Verdict.MET
    )
    assert by_text["AST, ALT <= 2.5 x ULN"].verdict == Verdict.MET  # 48/40 = 1.2 xULN and 1.1 xULN
    assert by_text["Serum bilirubin <= 1.25 x ULN"].verdict == Verdict.UNKNOWN
    assert by_text["Have a history of active autoimmune disease"].verdict == Verdict.NOT_MET
    prior = by_text[
        "Preoperative treatment of TACE or radiotherapy and chemotherapy, and targeted anti-tumor therapy."
    ]
    assert prior.verdict == Verdict.UNKNOWN and set(prior.missing) >= {"therapy:radiotherapy"}
    assert trial_verdict(verdicts) == TrialVerdict.POSSIBLY_ELIGIBLE


def test_failing_inclusion_and_met_exclusion(criteria_003, hcc_patient_dict, make_view):
    data = {**hcc_patient_dict, "labs": {"platelets": "40 10^9/L"}, "therapies": ["TACE"]}
    verdicts = evaluate_criteria(_trial(), criteria_003, make_view(data))
    failing = [v for v in verdicts if v.failed]
    assert {v.kind for v in failing} == {"inclusion", "exclusion"}
    plt = next(v for v in failing if v.kind == "inclusion")
    assert plt.reason == "platelets 40 10^9/L fails >= 50 10^9/L"
    assert trial_verdict(verdicts) == TrialVerdict.NOT_ELIGIBLE


def test_eligible_when_everything_is_known(make_view):
    parsed = {
        "criteria": [
            {"kind": "inclusion", "text": "Age >= 18", "rules": [{"type": "age", "min": 18}]},
            {
                "kind": "exclusion",
                "text": "HIV",
                "rules": [{"type": "condition", "name": "HIV", "present": True}],
            },
        ]
    }
    view = make_view({"age": 40, "absent_conditions": ["hiv"]})
    verdicts = evaluate_criteria(_trial(), parsed, view)
    assert [v.verdict for v in verdicts] == [Verdict.MET, Verdict.NOT_MET]
    assert trial_verdict(verdicts) == TrialVerdict.ELIGIBLE


def test_registry_age_and_sex_are_criteria(make_view):
    trial = _trial(min_age_years=18, max_age_years=65, sex="FEMALE")
    verdicts = evaluate_criteria(trial, {"criteria": []}, make_view({"age": 70, "sex": "male"}))
    assert [v.verdict for v in verdicts] == [Verdict.NOT_MET, Verdict.NOT_MET]
    assert verdicts[0].text == "Age 18–65 years (registry)"


def test_no_criteria_text_is_never_eligible(make_view):
    empty = {"nct_id": "NCT04163237", "criteria": []}
    verdicts = evaluate_criteria(_trial(None, min_age_years=18), empty, make_view({"age": 40}))
    assert trial_verdict(verdicts) == TrialVerdict.POSSIBLY_ELIGIBLE


def test_childbearing_criterion_not_applicable_to_men(make_view):
    crit = {
        "kind": "inclusion",
        "text": "Women of childbearing potential must use contraception",
        "applies_to": {"type": "sex", "allowed": ["female"]},
        "rules": [{"type": "other", "text": "contraception"}],
    }
    out = evaluate_criterion(crit, make_view({"sex": "male"}))
    assert out.verdict == Verdict.NOT_APPLICABLE and out.basis == Basis.STATED
    assert evaluate_criterion(crit, make_view({"sex": "female"})).verdict == Verdict.UNKNOWN
    assert evaluate_criterion(crit, make_view({})).verdict == Verdict.UNKNOWN  # sex unknown


def test_scores_order_failed_below_unknown_below_met(criteria_003, hcc_patient_dict, make_view):
    good = evaluate_criteria(_trial(), criteria_003, make_view(hcc_patient_dict))
    bad = evaluate_criteria(
        _trial(), criteria_003, make_view({**hcc_patient_dict, "scores": {"ecog": 2}})
    )
    empty = evaluate_criteria(_trial(), criteria_003, make_view({}))
    assert eligibility_score(good) > eligibility_score(empty) > eligibility_score(bad)
    with pytest.raises(ValueError, match="valid: linear"):
        scorer("nope")


def test_questions_rank_by_trials_settled(criteria_003, make_view):
    view = make_view({"age": 50})
    matches = [
        TrialMatch(
            f"T{i}",
            f"T{i}",
            "t",
            TrialVerdict.POSSIBLY_ELIGIBLE,
            0.5,
            evaluate_criteria(_trial(), criteria_003, view),
        )
        for i in range(3)
    ]
    questions = top_questions(matches, limit=50)
    keys = [q.key for q in questions]
    assert "score:ecog" in keys and "lab:platelets" in keys and "age" not in keys
    assert all(q.trials == 3 for q in questions)
    ecog = next(q for q in questions if q.key == "score:ecog")
    assert "ECOG" in ecog.text
    plt = next(q for q in questions if q.key == "lab:platelets")
    assert plt.text.startswith("What was your latest platelet")  # the vocabulary's wording


def test_contract3_shape(criteria_003, hcc_patient_dict, make_view):
    verdicts = evaluate_criteria(_trial(), criteria_003, make_view(hcc_patient_dict))
    match = TrialMatch(
        "NCT04163237", "NCT04163237", "PD-1", trial_verdict(verdicts), 0.41234, verdicts, 12.54
    )
    out = match.to_dict()
    assert list(out) == ["nct_id", "title", "verdict", "score", "distance_km", "criteria"]
    assert out["score"] == 0.4123 and out["distance_km"] == 12.5
    assert all(list(c) == ["kind", "text", "verdict", "reason", "basis"] for c in out["criteria"])
    assert {c["basis"] for c in out["criteria"]} <= {
        "stated",
        "inferred",
        "not_recorded",
        "missing",
    }
    assert {c["verdict"] for c in out["criteria"]} <= {
        "met",
        "not_met",
        "unknown",
        "not_applicable",
    }


def test_other_than_target_skips_the_trials_own_disease(make_view):
    view = make_view({"conditions": ["chronic hepatitis B", "breast cancer"]})
    other = {
        "kind": "exclusion",
        "text": "Participants with other chronic liver diseases will be excluded",
        "rules": [
            {"type": "condition", "name": "liver disease", "present": True,
             "qualifier": "other_than_target"}
        ],
    }  # fmt: skip
    own = ("Hepatitis B, Chronic",)
    out = evaluate_criterion(other, view, own=own)
    assert out.verdict == Verdict.NOT_MET and "trial's own condition" in out.reason
    assert evaluate_criterion(other, view, own=("Breast Cancer",)).verdict == Verdict.MET
    prior = {
        "kind": "exclusion",
        "text": "Prior history of malignancy except non-melanoma skin cancer",
        "rules": [
            {"type": "condition", "name": "cancer", "present": True,
             "except": ["non-melanoma skin cancer"]}
        ],
    }  # fmt: skip
    assert evaluate_criterion(prior, view).verdict == Verdict.MET
    assert evaluate_criterion(prior, view).basis == Basis.INFERRED  # breast cancer is a cancer


def test_the_trials_own_disease_does_not_rule_its_patients_out(make_view):
    """'Prior history of breast cancer' in a breast-cancer trial means an earlier one."""
    prior = {
        "kind": "exclusion",
        "text": "Prior history of breast cancer",
        "rules": [{"type": "condition", "name": "breast cancer", "present": True}],
    }
    view = make_view({"conditions": ["breast cancer"]})
    assert evaluate_criterion(prior, view).verdict == Verdict.MET
    out = evaluate_criterion(prior, view, own=("breast cancer",))
    assert out.verdict == Verdict.UNKNOWN and "disease this trial studies" in out.reason
    both = make_view({"conditions": ["breast cancer", "HCC"]})
    anything = {**prior, "rules": [{"type": "condition", "name": "cancer", "present": True}]}
    assert evaluate_criterion(anything, both, own=("breast cancer",)).verdict == Verdict.MET
