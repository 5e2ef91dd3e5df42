"""One rule against one patient: tables of (rule, patient facts) -> holds / unknown."""

from __future__ import annotations

import pytest

from trialscout.match.rules import evaluate_rule
from trialscout.match.view import PatientView
from trialscout.patient import note_to_patient

LAB = {"type": "lab"}


@pytest.mark.parametrize(
    ("rule", "patient", "holds"),
    [
        ({"type": "age", "min": 18, "max": 75}, {"age": 52}, True),
        ({"type": "age", "min": 18, "max": 75}, {"age": 75}, True),  # inclusive
        ({"type": "age", "min": 18, "max": 75}, {"age": 76}, False),
        ({"type": "age", "min": 18}, {}, None),
        ({"type": "sex", "allowed": ["female"]}, {"sex": "male"}, False),
        ({"type": "sex", "allowed": ["FEMALE"]}, {"sex": "F"}, True),
        ({"type": "sex", "allowed": ["all"]}, {}, True),
        (
            {**LAB, "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"},
            {"labs": {"platelets": "40 10^9/L"}},
            False,
        ),
        (
            {**LAB, "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"},
            {"labs": {"platelets": "150 K/uL"}},
            True,
        ),
        (
            {**LAB, "analyte": "platelets", "op": ">=", "value": 100, "unit": "10^9/L"},
            {"labs": {"platelets": "95000 /mm3"}},
            False,
        ),
        (
            {**LAB, "analyte": "hemoglobin", "op": ">=", "value": 90, "unit": "g/L"},
            {"labs": {"hemoglobin": "8.5 g/dL"}},
            False,
        ),
        (
            {**LAB, "analyte": "Total Bilirubin", "op": "<=", "value": 34, "unit": "umol/L"},
            {"labs": {"bilirubin": "1.2 mg/dL"}},
            True,
        ),
        (
            {**LAB, "analyte": "creatinine", "op": "<=", "value": 1.5, "unit": "mg/dL"},
            {"labs": {"creatinine": "120 umol/L"}},
            True,
        ),
        (
            {**LAB, "analyte": "hbv_dna", "op": "<", "value": 20, "unit": "IU/mL"},
            {"labs": {"hbv_dna": "<10 IU/mL"}},
            True,
        ),
        (
            {**LAB, "analyte": "hbv_dna", "op": "<", "value": 5, "unit": "IU/mL"},
            {"labs": {"hbv_dna": "<10 IU/mL"}},
            None,
        ),
        (
            {**LAB, "analyte": "hbv_dna", "op": "<", "value": 2000, "unit": "copies/mL"},
            {"labs": {"hbv_dna": "200 IU/mL"}},
            True,
        ),
        (
            {**LAB, "analyte": "hbv_dna", "op": "<", "value": 500, "unit": "copies/mL"},
            {"labs": {"hbv_dna": "200 IU/mL"}},
            False,
        ),
        (
            {**LAB, "analyte": "alt", "op": "<=", "value": 2.5, "unit": "xULN"},
            {"labs": {"alt": {"value": "120 U/L", "ref_high": 40}}},
            False,
        ),
        (
            {**LAB, "analyte": "alt", "op": "<=", "value": 2.5, "unit": "xULN"},
            {"labs": {"alt": {"value": "80 U/L", "ref_high": 40}}},
            True,
        ),
        (
            {**LAB, "analyte": "alt", "op": "<=", "value": 2.5, "unit": "xULN"},
            {"labs": {"alt": "80 U/L"}},
            None,
        ),  # no ULN known
        (
            {**LAB, "analyte": "alt", "op": "<=", "value": 2.5, "unit": "xULN"},
            {"labs": {"alt": "1.2 xULN"}},
            True,
        ),
        (
            {**LAB, "analyte": "alt", "op": "<=", "value": 100, "unit": "U/L"},
            {"labs": {"alt": "1.2 xULN"}},
            None,
        ),
        (
            {**LAB, "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"},
            {},
            None,
        ),  # missing = unknown
        ({"type": "score", "system": "ecog", "allowed": [0, 1]}, {"scores": {"ecog": 1}}, True),
        (
            {"type": "score", "system": "ecog", "op": "<=", "value": 1},
            {"scores": {"ecog": 2}},
            False,
        ),
        ({"type": "score", "system": "ECOG", "allowed": [0]}, {}, None),
        (
            {"type": "score", "system": "child_pugh", "allowed": ["A"]},
            {"scores": {"child_pugh": "A6"}},
            True,
        ),
        (
            {"type": "score", "system": "child-pugh", "op": "<=", "value": 7},
            {"scores": {"child-pugh": "A"}},
            True,
        ),
        (
            {"type": "score", "system": "child_pugh", "op": "<=", "value": 8},
            {"scores": {"child_pugh": "B"}},
            None,
        ),
        (
            {"type": "score", "system": "child_pugh", "op": "<=", "value": 6},
            {"scores": {"child_pugh": "C"}},
            False,
        ),
        (
            {"type": "score", "system": "bclc", "op": "<=", "value": "B"},
            {"scores": {"bclc": "C"}},
            False,
        ),
        (
            {"type": "score", "system": "karnofsky", "op": ">=", "value": 70},
            {"scores": {"karnofsky": 80}},
            True,
        ),
        (
            {"type": "life_expectancy", "op": ">=", "value": 3, "unit": "months"},
            {"life_expectancy_months": 12},
            True,
        ),
        ({"type": "life_expectancy", "op": ">=", "value": 3, "unit": "months"}, {}, None),
        ({"type": "other", "text": "Signed informed consent"}, {"age": 50}, None),
        ({"type": "no_such_type"}, {"age": 50}, None),
    ],
)
def test_rule_table(rule, patient, holds, make_view):
    assert evaluate_rule(rule, make_view(patient)).holds is holds


@pytest.mark.parametrize(
    ("rule", "patient", "holds"),
    [
        # hierarchy: HCC is a liver cancer; the reverse is not known
        ({"type": "condition", "name": "liver cancer"}, {"conditions": ["HCC"]}, True),
        (
            {"type": "condition", "name": "hepatocellular carcinoma"},
            {"conditions": ["liver cancer"]},
            None,
        ),
        (
            {"type": "condition", "name": "hepatitis B"},
            {"conditions": ["chronic hepatitis B"]},
            True,
        ),
        ({"type": "condition", "name": "HIV"}, {"absent_conditions": ["HIV infection"]}, False),
        (
            {"type": "condition", "name": "HIV", "present": False},
            {"absent_conditions": ["hiv"]},
            True,
        ),
        (
            {"type": "condition", "name": "HIV"},
            {"conditions": ["hepatitis b"]},
            None,
        ),  # silence = unknown
        (
            {"type": "condition", "name": "x", "codes": ["snomed:1"]},
            {"conditions": [{"name": "y", "codes": ["SNOMED:1"]}]},
            True,
        ),
        # drug classes
        ({"type": "therapy", "name": "nucleos(t)ide analogue"}, {"therapies": ["tenofovir"]}, True),
        (
            {"type": "therapy", "name": "immune checkpoint inhibitor"},
            {"therapies": ["camrelizumab"]},
            True,
        ),
        ({"type": "therapy", "name": "sorafenib"}, {"absent_therapies": ["sorafenib"]}, False),
        ({"type": "therapy", "name": "sorafenib"}, {"therapies": ["tenofovir"]}, None),
        (
            {"type": "therapy", "name": "hepatectomy", "within_days": 365},
            {"therapies": [{"name": "liver resection", "date": "2026-05-01"}]},
            True,
        ),
        (
            {"type": "therapy", "name": "hepatectomy", "within_days": 30},
            {"therapies": [{"name": "hepatectomy", "date": "2026-05-01"}]},
            False,
        ),
        (
            {"type": "therapy", "name": "hepatectomy", "within_days": 30},
            {"therapies": ["hepatectomy"]},
            None,
        ),
    ],
)
def test_concept_rules(rule, patient, holds, make_view):
    assert evaluate_rule(rule, make_view(patient)).holds is holds


def test_unknown_names_what_is_missing(make_view):
    out = evaluate_rule(
        {"type": "lab", "analyte": "PLT", "op": ">=", "value": 50, "unit": "10^9/L"}, make_view({})
    )
    assert out.holds is None and out.missing == "lab:platelets"
    assert "platelets" in out.reason
    out = evaluate_rule({"type": "score", "system": "ecog", "allowed": [0, 1]}, make_view({}))
    assert out.missing == "score:ecog"


def test_reason_shows_canonical_comparison(make_view):
    rule = {"type": "lab", "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"}
    out = evaluate_rule(rule, make_view({"labs": {"platelets": "40 10^9/L"}}))
    assert out.reason == "platelets 40 10^9/L fails >= 50 10^9/L"


def test_malformed_rule(make_view):
    out = evaluate_rule(
        {"type": "lab", "analyte": "alt", "op": "<=", "value": "high"},
        make_view({"labs": {"alt": "3 U/L"}}),
    )
    assert out.holds is None
    with pytest.raises(ValueError, match="must have a name"):  # a bad stored parse is a bug
        evaluate_rule({"type": "condition"}, make_view({}))


def test_pregnancy_does_not_apply_to_men(make_view):
    out = evaluate_rule({"type": "condition", "name": "pregnancy"}, make_view({"sex": "male"}))
    assert out.holds is None and out.applicable is False


@pytest.mark.parametrize(
    ("text", "term", "holds"),
    [
        ("58 yo woman. She denies smoking, diabetes, or hypertension.", "diabetes mellitus", False),
        ("58 yo woman. She denies smoking but has diabetes.", "diabetes mellitus", True),
        ("60 yo M with Hep C cirrhosis and HTN.", "cirrhosis", True),
        ("Family history of breast cancer in her mother.", "breast cancer", None),
        ("The patient has HCC.", "liver cancer", True),
        ("No history of HIV.", "hiv infection", False),
        (
            "Patient with no fever presents to the clinic today with a severe pneumonia.",
            "pneumonia",
            True,
        ),
    ],
)
def test_note_conditions(text, term, holds):
    view = PatientView(note_to_patient(text))
    assert evaluate_rule({"type": "condition", "name": term}, view).holds is holds
