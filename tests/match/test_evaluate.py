"""Criterion and trial verdicts on hand-written contract-1 criteria (the fixed contract)."""

from __future__ import annotations

import pytest

from trialscout.match.evaluate import combine, evaluate_criteria, evaluate_criterion, trial_verdict
from trialscout.match.questions import top_questions
from trialscout.match.results import RuleOutcome, TrialMatch, TrialVerdict, Verdict
from trialscout.match.scoring import eligibility_score, scorer
from trialscout.registry.model import Eligibility, Trial

T, F, U = True, False, None


@pytest.mark.parametrize(
    ("values", "logic", "expected"),
    [
        ([T, T], "all", T),
        ([T, U], "all", U),
        ([F, U], "all", F),
        ([F, U], "any", U),
        ([T, F], "any", T),
        ([F, F], "any", F),
    ],
)
def test_three_valued_logic(values, logic, expected):
    assert combine([RuleOutcome(v, "") for v in values], logic) is expected


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
    verdicts = evaluate_criteria(_trial(None, min_age_years=18), None, make_view({"age": 40}))
    assert trial_verdict(verdicts) == TrialVerdict.POSSIBLY_ELIGIBLE


def test_unparsed_text_is_unknown(make_view):
    verdicts = evaluate_criteria(_trial("Inclusion: adults"), None, make_view({"age": 40}))
    assert verdicts[-1].verdict == Verdict.UNKNOWN


def test_childbearing_criterion_not_applicable_to_men(make_view):
    crit = {
        "kind": "inclusion",
        "text": "Women of childbearing potential must use contraception",
        "rules": [{"type": "other", "text": "contraception"}],
    }
    assert evaluate_criterion(crit, make_view({"sex": "male"})).verdict == Verdict.NOT_APPLICABLE
    assert evaluate_criterion(crit, make_view({"sex": "female"})).verdict == Verdict.UNKNOWN


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
    assert plt.text == "What was your latest platelets result (value and unit)?"


def test_contract3_shape(criteria_003, hcc_patient_dict, make_view):
    verdicts = evaluate_criteria(_trial(), criteria_003, make_view(hcc_patient_dict))
    match = TrialMatch(
        "NCT04163237", "NCT04163237", "PD-1", trial_verdict(verdicts), 0.41234, verdicts, 12.54
    )
    out = match.to_dict()
    assert list(out) == ["nct_id", "title", "verdict", "score", "distance_km", "criteria"]
    assert out["score"] == 0.4123 and out["distance_km"] == 12.5
    assert all(list(c) == ["kind", "text", "verdict", "reason"] for c in out["criteria"])
    assert {c["verdict"] for c in out["criteria"]} <= {
        "met",
        "not_met",
        "unknown",
        "not_applicable",
    }


def test_other_instance_of_own_disease_is_unknown_not_failed(make_view):
    view = make_view({"conditions": ["chronic hepatitis B", "breast cancer"]})
    other = {
        "kind": "exclusion",
        "text": "Participants with other chronic liver diseases will be excluded",
        "rules": [{"type": "condition", "name": "liver disease", "present": True}],
    }
    assert evaluate_criterion(other, view).verdict == Verdict.UNKNOWN
    prior = {
        "kind": "exclusion",
        "text": "Prior history of breast cancer",
        "rules": [{"type": "condition", "name": "breast cancer", "present": True}],
    }
    assert evaluate_criterion(prior, view).verdict == Verdict.MET
    assert evaluate_criterion(prior, view, own=("Breast Cancer",)).verdict == Verdict.UNKNOWN
    hiv = {
        "kind": "exclusion",
        "text": "Other: HIV",
        "rules": [{"type": "condition", "name": "HIV"}],
    }
    assert evaluate_criterion(hiv, make_view({"conditions": ["HIV"]})).verdict == Verdict.MET
