"""Issue 11's sentences end to end: the real parser's contract-1 v2 output judged by the real
matcher (no hand-written parse), so a class of parser or evaluator error shows as a verdict."""

from __future__ import annotations

from datetime import date

import pytest

from trialscout.criteria import parse_item, validate_criteria
from trialscout.criteria.split import Item
from trialscout.match import Verdict
from trialscout.match.evaluate import evaluate_criterion
from trialscout.match.view import PatientView
from trialscout.patient import profile_from_dict

TODAY = date(2026, 11, 22)
LIVER_TRIAL = ("hepatocellular carcinoma",)


def judge(kind: str, text: str, patient: dict, own: tuple[str, ...] = ()) -> Verdict:
    criterion = parse_item(Item(kind, text))
    validate_criteria({"nct_id": None, "criteria": [criterion]})
    view = PatientView(profile_from_dict(patient, "test"), TODAY)
    return evaluate_criterion(criterion, view, own).verdict


ADULT = {"age": 52, "sex": "male", "conditions": ["hepatocellular carcinoma"]}
HISTORY = {**ADULT, "complete_history": True}


def test_numbers_in_an_explanation_are_no_rule():
    text = (
        "Age greater than 18 years. Because no dosing data are available in patients <18 years "
        "of age, children are excluded"
    )
    assert judge("inclusion", text, ADULT) == Verdict.MET
    assert judge("inclusion", text, {**ADULT, "age": 15}) == Verdict.NOT_MET


@pytest.mark.parametrize(
    ("text", "patient"),
    [
        ("Phase II only: patients with colorectal cancer", ADULT),
        ("Male: Creatinine clearance = (140 - age) x weight / 72 x serum creatinine", ADULT),
    ],
)
def test_cohort_lines_are_structure_not_rules(text, patient):
    """Neither 'patient has cancer' nor 'sex female not accepted': unknown, never not_met."""
    assert judge("inclusion", text, patient) == Verdict.UNKNOWN


def test_a_cohort_for_women_is_not_applicable_to_a_man():
    text = "Female: Creatinine clearance = (140 - age) x weight / 72 x 0.85 x serum creatinine"
    assert judge("inclusion", text, ADULT) == Verdict.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("therapies", "verdict"),
    [
        ([], Verdict.MET),  # complete history, neither recorded -> presumed neither
        ([{"name": "thalidomide", "date": "2026-01-05"}], Verdict.NOT_MET),
        ([{"name": "interferon", "date": "2026-01-05"}], Verdict.NOT_MET),
    ],
)
def test_no_prior_a_or_b_means_neither(therapies, verdict):
    patient = {**HISTORY, "therapies": therapies}
    got = judge("inclusion", "No prior interferon or thalidomide", patient)
    # an inclusion needs positive evidence: presumed absence never meets it
    assert got == (Verdict.UNKNOWN if verdict == Verdict.MET else verdict)


@pytest.mark.parametrize(
    ("conditions", "verdict"),
    [
        (["hepatitis c", "cirrhosis"], Verdict.MET),
        (["hepatitis b"], Verdict.NOT_MET),  # B or C, but no cirrhosis
        (["cirrhosis"], Verdict.NOT_MET),
    ],
)
def test_b_or_c_and_cirrhosis(conditions, verdict):
    patient = {"age": 60, "sex": "female", "conditions": conditions, "complete_history": True}
    assert judge("exclusion", "Hepatitis B or C infection and cirrhosis", patient) == verdict


@pytest.mark.parametrize("letter", ["a", "c", "d", "e"])
def test_a_shortened_list_keeps_every_member(letter):
    patient = {**HISTORY, "conditions": ["hepatocellular carcinoma", f"hepatitis {letter}"]}
    assert judge("exclusion", "hepatitis A, C, D or E", patient) == Verdict.MET


def test_an_old_infarction_does_not_exclude_within_6_months():
    text = "Myocardial infarction within 6 months"
    old = {**HISTORY, "conditions": [{"name": "myocardial infarction", "onset": "2019-03-01"}]}
    recent = {**HISTORY, "conditions": [{"name": "myocardial infarction", "onset": "2026-09-01"}]}
    assert judge("exclusion", text, old) == Verdict.NOT_MET
    assert judge("exclusion", text, recent) == Verdict.MET


def test_other_liver_disease_does_not_hit_the_trials_own_disease():
    text = "Other chronic liver diseases such as genetic metabolic liver disease"
    assert judge("exclusion", text, HISTORY, LIVER_TRIAL) == Verdict.NOT_MET


def test_a_specific_disease_unknown_to_the_vocabulary_is_not_its_generic_parent():
    text = "Histological diagnosis of pancreatic acinar cell carcinoma"
    assert judge("inclusion", text, ADULT) == Verdict.UNKNOWN


def test_a_lung_cancer_inclusion_is_not_met_by_liver_cancer():
    text = "Histological diagnosis of non-small cell lung cancer"
    assert judge("inclusion", text, HISTORY) != Verdict.MET


def test_a_negative_pregnancy_test_is_not_applicable_to_a_man():
    assert judge("inclusion", "Negative pregnancy test", ADULT) == Verdict.NOT_APPLICABLE


def test_hba1c_range_reads_mmol_per_mol():
    text = "HbA1c between 7% and 11%"
    assert judge("inclusion", text, {**ADULT, "labs": {"hba1c": "55 mmol/mol"}}) == Verdict.MET
    assert judge("inclusion", text, {**ADULT, "labs": {"hba1c": "48 mmol/mol"}}) == Verdict.NOT_MET


def test_qualitative_results_are_rules():
    text = "HBeAg negative and HBV DNA < 10 IU/mL"
    ok = {**ADULT, "labs": {"hbeag": "negative", "hbv_dna": "5 IU/mL"}}
    positive = {**ADULT, "labs": {"hbeag": "positive", "hbv_dna": "5 IU/mL"}}
    assert judge("inclusion", text, ok) == Verdict.MET
    assert judge("inclusion", text, positive) == Verdict.NOT_MET


def test_any_one_of_the_listed_factors_qualifies():
    text = "Have at least one of the following high-risk factors:\n  - microvascular invasion\n  - AFP >= 200 ng/mL"
    from trialscout.criteria import parse_criteria

    (criterion,) = parse_criteria("Inclusion Criteria:\n- " + text)["criteria"]
    view = PatientView(profile_from_dict({**ADULT, "labs": {"afp": "450 ng/mL"}}, "t"), TODAY)
    assert evaluate_criterion(criterion, view).verdict == Verdict.MET
    low = PatientView(profile_from_dict({**ADULT, "labs": {"afp": "20 ng/mL"}}, "t"), TODAY)
    assert evaluate_criterion(criterion, low).verdict == Verdict.UNKNOWN  # invasion not known


def test_a_severity_qualifier_never_rules_out_on_its_own():
    text = "Uncontrolled diabetes"
    diabetic = {**HISTORY, "conditions": ["hepatocellular carcinoma", "diabetes mellitus"]}
    assert judge("exclusion", text, diabetic) == Verdict.UNKNOWN
    assert judge("exclusion", text, HISTORY) == Verdict.NOT_MET


RECORDS = __import__("pathlib").Path(__file__).parents[1] / "data" / "match" / "issue_records"


@pytest.fixture
def issue_store(db):
    from trialscout.ingest import pipeline

    report = pipeline.ingest_paths(db, [RECORDS], workers=0)
    assert report.new == 2 and report.rejected == 0
    return db


def _verdict_of(db, patient: dict, trial_id: str, words: str) -> Verdict:
    from trialscout.match import match_one

    result = match_one(db, profile_from_dict(patient, "t"), trial_id, today=TODAY).results[0]
    (found,) = [c for c in result.criteria if words in c.text]
    return found.verdict


def test_no_prior_interferon_or_thalidomide_on_its_record(issue_store):
    """NCT00006006: 'No prior interferon or thalidomide for hepatocellular cancer'."""
    words = "No prior interferon or thalidomide"
    had = {**HISTORY, "therapies": [{"name": "thalidomide", "date": "2025-01-01"}]}
    assert _verdict_of(issue_store, had, "NCT00006006", words) != Verdict.MET
    assert _verdict_of(issue_store, HISTORY, "NCT00006006", words) == Verdict.UNKNOWN


def test_other_chronic_liver_disease_on_its_record(issue_store):
    """NCT07120750 (HBV-related liver cancer): 'Other chronic liver diseases such as ...' does
    not exclude the trial's own patients, and asks nothing of them."""
    patient = {**HISTORY, "conditions": ["hepatocellular carcinoma", "chronic hepatitis b"]}
    verdict = _verdict_of(issue_store, patient, "NCT07120750", "Other Chronic Liver Diseases")
    assert verdict == Verdict.NOT_MET


@pytest.mark.parametrize(
    ("kind", "text", "patient", "verdict"),
    [
        # a case per sex under 'or': only the patient's own sex's threshold can exclude
        (
            "exclusion",
            "male hemoglobin < 13.0 g/dL or female hemoglobin < 11.0 g/dL",
            {"sex": "female", "labs": {"hemoglobin": "12 g/dL"}},
            Verdict.NOT_MET,
        ),
        (
            "exclusion",
            "male hemoglobin < 13.0 g/dL or female hemoglobin < 11.0 g/dL",
            {"sex": "male", "labs": {"hemoglobin": "12 g/dL"}},
            Verdict.MET,
        ),
        # alone in an inclusion: 'if a man, at least 13'; a woman is not held to it
        (
            "inclusion",
            "Hemoglobin >= 13 g/dL for men",
            {"sex": "female", "labs": {"hemoglobin": "12 g/dL"}},
            Verdict.MET,
        ),
        (
            "inclusion",
            "Hemoglobin >= 13 g/dL for men",
            {"sex": "male", "labs": {"hemoglobin": "12 g/dL"}},
            Verdict.NOT_MET,
        ),
        # under 'and' with the women's case unread: a woman is unknown, never ruled out
        (
            "inclusion",
            "ALT <= 45 U/L in males, <= 30 U/L in females",
            {"sex": "female", "labs": {"alt": "40 U/L"}},
            Verdict.UNKNOWN,
        ),
    ],
)
def test_lab_thresholds_per_sex(kind, text, patient, verdict):
    assert judge(kind, text, {"age": 50, **patient}) == verdict
