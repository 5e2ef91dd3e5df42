"""Issue 11's examples on the real records they come from (tests/data/match/records), with
hand-written contract-1 v2 parses where the verdict depends on the new parser's output."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trialscout.criteria import validate_criteria
from trialscout.ingest import pipeline
from trialscout.match import Basis, TrialVerdict, Verdict, match_one
from trialscout.match.evaluate import evaluate_criteria, evaluate_criterion, trial_verdict
from trialscout.match.targets import trial_targets
from trialscout.match.view import PatientView
from trialscout.patient.model import ConditionFact, LabValue, Patient, TherapyFact
from trialscout.store.trials import TrialStore

RECORDS = Path(__file__).parents[1] / "data" / "match" / "records"
TODAY = date(2026, 11, 22)


@pytest.fixture
def store(db):
    report = pipeline.ingest_paths(db, [RECORDS], workers=0)
    assert report.new == 3 and report.rejected == 0
    return db


def hcc(**kw) -> Patient:
    kw.setdefault(
        "conditions",
        [ConditionFact("hepatocellular carcinoma"), ConditionFact("chronic hepatitis B")],
    )
    return Patient(age=52, sex="male", **kw)


def v2(*criteria: dict) -> dict:
    parsed = {"nct_id": "NCT04163237", "parser_version": 3, "criteria": list(criteria)}
    validate_criteria(parsed)  # the hand-written parses follow the schema exactly
    return parsed


def test_hcc_patient_is_not_possibly_eligible_for_a_lung_cancer_trial(store):
    result = match_one(store, hcc(), "NCT06317558", today=TODAY).results[0]
    assert result.verdict == TrialVerdict.NOT_ELIGIBLE
    target = next(c for c in result.criteria if c.text.startswith("Has the condition studied"))
    assert target.verdict == Verdict.NOT_MET and target.basis == Basis.INFERRED
    assert "hepatocellular carcinoma" in target.reason


def test_hcc_patient_meets_the_target_of_a_liver_cancer_trial(store):
    result = match_one(store, hcc(), "NCT04163237", today=TODAY).results[0]
    target = next(c for c in result.criteria if c.text.startswith("Has the condition studied"))
    assert target.verdict == Verdict.MET and target.basis == Basis.INFERRED  # HCC is a liver cancer


def test_stored_parse_is_what_the_matcher_reads(store):
    store.conn.execute(
        "UPDATE trial_criteria SET parsed = ? WHERE trial_id = 'NCT06317558'",
        ('{"nct_id": "NCT06317558", "criteria": [{"kind": "exclusion", "text": "marker", '
         '"rules": [{"type": "other", "text": "marker"}]}]}',),
    )  # fmt: skip
    result = match_one(store, hcc(), "NCT06317558", today=TODAY).results[0]
    assert [c.text for c in result.criteria][-1] == "marker"


def test_any_one_high_risk_factor_qualifies(store):
    """NCT04163237: vascular invasion, positive margin, AFP >= 200 two weeks after surgery or
    lymph nodes: one is enough."""
    trial = TrialStore(store).get("NCT04163237").trial
    crit = {"kind": "inclusion",
            "text": "High risk factors for postoperative recurrence: (any of the following)",
            "rules": [
                {"type": "condition", "name": "vascular invasion", "present": True},
                {"type": "other", "text": "Positive resection margin"},
                {"type": "lab", "analyte": "afp", "op": ">=", "value": 200, "unit": "ng/mL"},
                {"type": "condition", "name": "lymph node metastasis", "present": True}],
            "logic": {"any": [0, 1, 2, 3]}}  # fmt: skip
    with_afp = hcc(labs={"afp": LabValue("afp", 350, "ng/mL")})
    verdicts = evaluate_criteria(trial, v2(crit), PatientView(with_afp, TODAY))
    assert (
        verdicts[-1].verdict == Verdict.MET and trial_verdict(verdicts) != TrialVerdict.NOT_ELIGIBLE
    )
    low = hcc(labs={"afp": LabValue("afp", 20, "ng/mL")})
    assert evaluate_criterion(crit, PatientView(low, TODAY)).verdict == Verdict.UNKNOWN


NO_PRIOR = {
    "kind": "exclusion",
    "text": "No prior interferon or thalidomide within 6 months, except topical use",
    "applies_to": None,
    "rules": [
        {"type": "therapy", "name": "interferon", "present": True, "within_days": 183},
        {"type": "therapy", "name": "thalidomide", "present": True, "within_days": 183},
        {"type": "other", "text": "except topical use"},
    ],
    "logic": {"any": [0, 1]},
}


@pytest.mark.parametrize(
    ("therapies", "verdict"),
    [
        (
            [TherapyFact("thalidomide", date=date(2024, 1, 5)), TherapyFact("interferon", False)],
            Verdict.NOT_MET,
        ),  # long ago, and never interferon
        ([TherapyFact("thalidomide", date=date(2024, 1, 5))], Verdict.UNKNOWN),  # interferon?
        ([TherapyFact("interferon", date=date(2026, 10, 1))], Verdict.UNKNOWN),  # topical?
        ([TherapyFact("interferon")], Verdict.UNKNOWN),  # no date: the window cannot tell
        ([], Verdict.UNKNOWN),  # a profile is not a complete history
    ],
)
def test_no_prior_a_or_b_within_a_window(therapies, verdict):
    v2(NO_PRIOR)
    out = evaluate_criterion(NO_PRIOR, PatientView(hcc(therapies=therapies), TODAY))
    assert out.verdict == verdict


def test_recent_therapy_without_qualifier_excludes():
    crit = {**NO_PRIOR, "rules": NO_PRIOR["rules"][:2]}
    recent = hcc(therapies=[TherapyFact("interferon", date=date(2026, 10, 1))])
    out = evaluate_criterion(crit, PatientView(recent, TODAY))
    assert out.verdict == Verdict.MET and out.basis == Basis.STATED and "52 days ago" in out.reason


def test_old_infarction_does_not_exclude_within_6_months():
    crit = {"kind": "exclusion", "text": "myocardial infarction within 6 months",
            "rules": [{"type": "condition", "name": "myocardial infarction", "present": True,
                       "within_days": 183}]}  # fmt: skip
    old = ConditionFact("myocardial infarction", onset=date(2023, 3, 1), clinical_status="resolved")
    assert evaluate_criterion(crit, PatientView(hcc(conditions=[old]), TODAY)).verdict == (
        Verdict.NOT_MET
    )
    new = ConditionFact("myocardial infarction", onset=date(2026, 9, 1))
    assert evaluate_criterion(crit, PatientView(hcc(conditions=[new]), TODAY)).verdict == (
        Verdict.MET
    )


def test_hepatitis_b_or_c_and_cirrhosis():
    crit = {"kind": "exclusion", "text": "Hepatitis B or C infection and cirrhosis",
            "rules": [{"type": "condition", "name": "hepatitis b", "present": True},
                      {"type": "condition", "name": "hepatitis c", "present": True},
                      {"type": "condition", "name": "cirrhosis", "present": True}],
            "logic": {"all": [{"any": [0, 1]}, 2]}}  # fmt: skip
    v2(crit)
    hbv_only = Patient(conditions=[ConditionFact("chronic hepatitis B"),
                                   ConditionFact("cirrhosis", present=False)])  # fmt: skip
    assert evaluate_criterion(crit, PatientView(hbv_only, TODAY)).verdict == Verdict.NOT_MET
    both = Patient(conditions=[ConditionFact("hepatitis C"), ConditionFact("cirrhosis")])
    assert evaluate_criterion(crit, PatientView(both, TODAY)).verdict == Verdict.MET


def test_other_liver_disease_on_a_hepatitis_b_trial(store):
    """NCT00460850 (chronic hepatitis B): "medical condition associated with chronic liver
    disease" means another one, not the hepatitis B the trial studies."""
    trial = TrialStore(store).get("NCT00460850").trial
    crit = {"kind": "exclusion", "text": "medical condition associated with chronic liver disease",
            "rules": [{"type": "condition", "name": "liver disease", "present": True,
                       "qualifier": "other_than_target"}]}  # fmt: skip
    hbv = Patient(age=40, sex="female", conditions=[ConditionFact("chronic hepatitis B")])
    own = tuple(trial_targets(trial))
    out = evaluate_criterion(crit, PatientView(hbv, TODAY), own)
    assert out.verdict == Verdict.NOT_MET
    hbv.conditions.append(ConditionFact("wilson disease"))
    assert evaluate_criterion(crit, PatientView(hbv, TODAY), own).verdict == Verdict.MET


def test_hbeag_negative_is_a_rule_on_a_qualitative_result(store):
    crit = {"kind": "inclusion", "text": "HBeAg negative chronic hepatitis B",
            "rules": [{"type": "lab", "analyte": "hbeag", "op": "=", "value": "negative"},
                      {"type": "condition", "name": "chronic hepatitis b", "present": True}]}  # fmt: skip
    v2(crit)
    neg = hcc(labs={"hbeag": LabValue("hbeag", None, "", result="negative")})
    assert evaluate_criterion(crit, PatientView(neg, TODAY)).verdict == Verdict.MET
    pos = hcc(labs={"hbeag": LabValue("hbeag", None, "", result="positive")})
    assert evaluate_criterion(crit, PatientView(pos, TODAY)).verdict == Verdict.NOT_MET
    assert evaluate_criterion(crit, PatientView(hcc(), TODAY)).verdict == Verdict.UNKNOWN


def test_cohort_line_applies_only_to_its_group():
    crit = {"kind": "inclusion", "text": "Male: Creatinine clearance >= 50 mL/min",
            "applies_to": {"type": "sex", "allowed": ["male"]},
            "rules": [{"type": "other", "text": "Creatinine clearance = (140 - age) ..."}]}  # fmt: skip
    v2(crit)
    woman = Patient(sex="female")
    assert evaluate_criterion(crit, PatientView(woman, TODAY)).verdict == Verdict.NOT_APPLICABLE
    assert evaluate_criterion(crit, PatientView(Patient(), TODAY)).verdict == Verdict.UNKNOWN
    phase = {**crit, "applies_to": {"rules": [{"type": "other", "text": "Phase II only"}]}}
    v2(phase)
    assert evaluate_criterion(phase, PatientView(woman, TODAY)).verdict == Verdict.UNKNOWN


def test_negative_pregnancy_test_is_not_applicable_to_a_man():
    crit = {"kind": "exclusion", "text": "Pregnant or breastfeeding women",
            "rules": [{"type": "condition", "name": "pregnancy", "present": True}]}  # fmt: skip
    out = evaluate_criterion(crit, PatientView(hcc(), TODAY))
    assert out.verdict == Verdict.NOT_APPLICABLE


def test_fhir_style_coded_resolved_and_hba1c():
    coded = ConditionFact("Liver cell carcinoma", codes=["icd10cm:C22.0"])
    crit = {"kind": "inclusion", "text": "Liver cancer",
            "rules": [{"type": "condition", "name": "liver cancer", "present": True}]}  # fmt: skip
    out = evaluate_criterion(crit, PatientView(Patient(conditions=[coded]), TODAY))
    assert out.verdict == Verdict.MET and out.basis == Basis.INFERRED
    url = ConditionFact("", codes=["http://hl7.org/fhir/sid/icd-10-cm:C22.0"])
    assert evaluate_criterion(crit, PatientView(Patient(conditions=[url]), TODAY)).verdict == (
        Verdict.MET
    )
    resolved = ConditionFact("hepatitis c", clinical_status="resolved", abated=date(2020, 1, 1))
    hcv = {"kind": "exclusion", "text": "Active hepatitis C",
           "rules": [{"type": "condition", "name": "hepatitis c", "present": True}]}  # fmt: skip
    out = evaluate_criterion(hcv, PatientView(Patient(conditions=[resolved]), TODAY))
    assert out.verdict != Verdict.MET  # a resolved condition is not counted as present
    a1c = {"kind": "inclusion", "text": "HbA1c between 7% and 11%",
           "rules": [{"type": "lab", "analyte": "hba1c", "op": "between", "min": 7, "max": 11,
                      "unit": "%"}]}  # fmt: skip
    v2(a1c)
    p = Patient(labs={"hba1c": LabValue("hba1c", 55, "mmol/mol")})
    out = evaluate_criterion(a1c, PatientView(p, TODAY))
    assert out.verdict == Verdict.MET and out.basis == Basis.INFERRED and "7.18" in out.reason


def test_complete_history_presumes_absence_for_exclusions_only():
    note = Patient(age=60, sex="male", conditions=[ConditionFact("hypertension")],
                   complete_history=True, note="60 yo man with hypertension.")  # fmt: skip
    hiv = {"kind": "exclusion", "text": "HIV infection",
           "rules": [{"type": "condition", "name": "hiv infection", "present": True}]}  # fmt: skip
    out = evaluate_criterion(hiv, PatientView(note, TODAY))
    assert out.verdict == Verdict.NOT_MET and out.basis == Basis.NOT_RECORDED
    assert "not in the record, confirm with the study team" in out.reason
    need = {**hiv, "kind": "inclusion"}
    assert evaluate_criterion(need, PatientView(note, TODAY)).verdict == Verdict.UNKNOWN
    absent = {"kind": "exclusion", "text": "Patients without a diagnosis of HIV",
              "rules": [{"type": "condition", "name": "hiv infection", "present": False}]}  # fmt: skip
    assert evaluate_criterion(absent, PatientView(note, TODAY)).verdict == Verdict.UNKNOWN
    negated = {**hiv, "rules": hiv["rules"], "logic": {"not": {"not": 0}}}
    assert evaluate_criterion(negated, PatientView(note, TODAY)).verdict == Verdict.NOT_MET
    lab = {"kind": "exclusion", "text": "Platelets < 50",
           "rules": [{"type": "lab", "analyte": "platelets", "op": "<", "value": 50,
                      "unit": "10^9/L"}]}  # fmt: skip
    assert evaluate_criterion(lab, PatientView(note, TODAY)).verdict == Verdict.UNKNOWN
    profile = Patient(conditions=[ConditionFact("hypertension")])
    assert evaluate_criterion(hiv, PatientView(profile, TODAY)).verdict == Verdict.UNKNOWN


def test_a_concept_named_in_the_note_is_not_presumed_absent():
    note = Patient(complete_history=True, note="Family history of HIV infection in the brother.")
    hiv = {"kind": "exclusion", "text": "HIV infection",
           "rules": [{"type": "condition", "name": "hiv infection", "present": True}]}  # fmt: skip
    assert evaluate_criterion(hiv, PatientView(note, TODAY)).verdict == Verdict.UNKNOWN


def test_targets_are_the_most_specific_concepts_named():
    from trialscout.registry.model import Trial

    untitled = Trial("NCT07120750", brief_title="Antiviral Strategies in HBV-Related Liver "
                     "Cancer: Impact on Tumor Prognosis")  # fmt: skip
    assert trial_targets(untitled) == ["hepatitis b virus infection", "liver cancer"]
    listed = Trial("X", brief_title="Lung cancer study", conditions=["Advanced Liver Cancer"])
    assert trial_targets(listed) == ["liver cancer"]  # the listed conditions, not the title
