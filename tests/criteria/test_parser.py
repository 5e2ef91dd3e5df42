"""Criteria sentences -> rules (contract 1), including the clinical gold sentences of the issue."""

from __future__ import annotations

import pytest

from trialscout.criteria import PARSER_VERSION, parse_criteria, parse_item
from trialscout.criteria.split import Item


def rules(text, kind="inclusion"):
    return parse_item(Item(kind, text))["rules"]


def lab(analyte, op, value, unit):
    return {"type": "lab", "analyte": analyte, "op": op, "value": value, "unit": unit}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Platelets >= 50 x 10^9/L", [lab("platelets", ">=", 50, "10^9/L")]),
        ("Neutrophils ≥ 1.5 × 109 / L;", [lab("neutrophils", ">=", 1.5, "10^9/L")]),
        ("AST, ALT ≤ 2.5 × ULN;", [lab("ast", "<=", 2.5, "xULN"), lab("alt", "<=", 2.5, "xULN")]),
        ("Serum bilirubin ≤ 1.25 × ULN;", [lab("bilirubin", "<=", 1.25, "xULN")]),
        ("Hemoglobin ≥ 90 g / L;", [lab("hemoglobin", ">=", 90, "g/L")]),
        ("Haemoglobin ≥ 8,5 g/dL", [lab("hemoglobin", ">=", 85, "g/L")]),
        ("Platelet count at least 80,000/mm3", [lab("platelets", ">=", 80, "10^9/L")]),
        ("HBV DNA < 10 IU/mL", [lab("hbv_dna", "<", 10, "IU/mL")]),
        ("Creatinine clearance ≥ 60 mL/min", [lab("creatinine_clearance", ">=", 60, "mL/min")]),
        ("Alkaline phosphatase ≤ 2.5 ULN", [lab("alp", "<=", 2.5, "xULN")]),
        ("INR ≤ 1.5", [lab("inr", "<=", 1.5, "1")]),
        ("ICG retention rate at 15 minutes ≤ 10%", [lab("icg_r15", "<=", 10, "%")]),
        ("Body Mass Index (BMI) > 28 kg/m²", [lab("bmi", ">", 28, "kg/m^2")]),
        (
            "Aspartate or Alanine aminotransferase ≤ 5 times the upper limit of normal (ULN)",
            [lab("ast", "<=", 5, "xULN"), lab("alt", "<=", 5, "xULN")],
        ),
        ("Age 18-75;", [{"type": "age", "min": 18, "max": 75}]),
        ("Aged 18 to 60 years (inclusive).", [{"type": "age", "min": 18, "max": 60}]),
        ("Patients aged < 65 years", [{"type": "age", "max": 64}]),
        ("ECOG 0-1", [{"type": "score", "system": "ecog", "allowed": [0, 1]}]),
        (
            "ECOG performance status score of 0",
            [{"type": "score", "system": "ecog", "allowed": [0]}],
        ),
        ("Child-Pugh class A", [{"type": "score", "system": "child_pugh", "allowed": ["A"]}]),
        (
            "Child-Pugh score ≤ 7",
            [{"type": "score", "system": "child_pugh_score", "op": "<=", "value": 7}],
        ),
        (
            "Karnofsky performance status ≥ 70%",
            [{"type": "score", "system": "karnofsky", "op": ">=", "value": 70}],
        ),
        (
            "Estimated survival time of at least 6 months;",
            [{"type": "life_expectancy", "op": ">=", "value": 6, "unit": "months"}],
        ),
        (
            "Life expectancy of at least 12 weeks",
            [{"type": "life_expectancy", "op": ">=", "value": 2.76, "unit": "months"}],
        ),
        ("No prior sorafenib", [{"type": "therapy", "name": "sorafenib", "present": False}]),
        (
            "No prior systemic therapy",
            [{"type": "therapy", "name": "systemic therapy", "present": False}],
        ),
        ("Written informed consent", [{"type": "other", "text": "Written informed consent"}]),
    ],
)
def test_inclusion_sentences(text, expected):
    assert rules(text) == expected


def test_bclc_and_child_pugh_with_typo():
    out = rules("BCLC stage A,B,C, liver function Chid-Pugh grade A, PS score 0- 1 point.")
    assert {"type": "score", "system": "bclc", "allowed": ["A", "B", "C"]} in out
    assert {"type": "score", "system": "child_pugh", "allowed": ["A"]} in out
    assert {"type": "score", "system": "ecog", "allowed": [0, 1]} in out


def test_hbv_dna_copies_converted_to_iu():
    out = rules("Viral load limitations: HBV DNA > 2000 copies/ml", "exclusion")
    assert out == [lab("hbv_dna", ">", 343.642, "IU/mL")]


def test_missing_unit_is_not_a_rule():
    """'HCV RNA > 1000' gives no unit: not computable, so no (possibly wrong) rule."""
    assert rules("HCV RNA > 1000", "exclusion")[0]["type"] == "other"


def test_exclusion_therapy_list_is_any():
    c = parse_item(Item("exclusion", "Preoperative TACE or radiotherapy"))
    assert c["rules"] == [
        {"type": "therapy", "name": "transarterial chemoembolization", "present": True},
        {"type": "therapy", "name": "radiotherapy", "present": True},
    ]
    assert c["logic"] == "any"


def test_inclusion_or_between_thresholds_is_any():
    c = parse_item(Item("inclusion", "INR ≤ 1.5 or aPTT ≤ 40 seconds"))
    assert c["logic"] == "any"


def test_therapy_window():
    out = rules(
        "Inoculated with any anti-infective vaccine within 4 weeks before randomization;",
        "exclusion",
    )
    assert out == [{"type": "therapy", "name": "vaccine", "present": True, "within_days": 28}]


def test_washout_reads_as_no_recent_therapy():
    out = rules("At least 4 weeks since prior chemotherapy and recovered")
    assert out == [{"type": "therapy", "name": "chemotherapy", "present": False, "within_days": 28}]


def test_exclusion_requirement_is_inverted():
    out = rules("Creatinine clearance must be greater than 50 cc/min.", "exclusion")
    assert out == [lab("creatinine_clearance", "<=", 50, "mL/min")]


@pytest.mark.parametrize(
    "text",
    [
        "Patients previously treated with TACE are eligible",  # permission, not a requirement
        "Current or prior use of immunosuppressive medication before the first dose of durvalumab",
        "Pathological diagnosis of non-hepatocellular carcinoma;",
        "ALT ≤ 2.5 × ULN or < 5 × ULN for liver metastases",  # conditional threshold
        "High myopia, previous intraocular / refractive surgery",  # one kind of surgery
    ],
)
def test_no_wrong_rules(text):
    out = rules(text, "exclusion")
    names = {r.get("name") for r in out}
    assert "cancer" not in names and "diabetes mellitus" not in names
    assert "transarterial chemoembolization" not in names and "durvalumab" not in names
    assert "hepatocellular carcinoma" not in names
    assert not names & {"liver metastases", "surgery"}


@pytest.mark.parametrize(
    "text", ["Uncontrolled diabetes", "Decompensated diabetes mellitus", "Severe diabetes"]
)
def test_a_qualified_condition_is_the_condition_and_an_unknown_qualifier(text):
    """'Uncontrolled diabetes' excludes no diabetic for sure: diabetes AND (uncontrolled: other)."""
    c = parse_item(Item("exclusion", text))
    rule = {k: v for k, v in c["rules"][0].items() if k != "codes"}
    assert rule == {"type": "condition", "name": "diabetes mellitus", "present": True}
    assert c["rules"][1]["type"] == "other"
    assert c["logic"] in ("all", {"all": [0, 1]})


def test_other_malignancy_does_not_mean_the_trials_own_cancer():
    c = parse_item(Item("exclusion", "History of other malignancies within the last 5 years"))
    assert [{k: v for k, v in r.items() if k != "codes"} for r in c["rules"]] == [
        {
            "type": "condition",
            "name": "cancer",
            "present": True,
            "qualifier": "other_than_target",
            "within_days": 1826,
        }
    ]


def test_negated_conditions():
    out = rules("No brain metastases")
    assert out == [{"type": "condition", "name": "brain metastases", "present": False}]
    out = rules("HBeAg negative chronic hepatitis B")
    assert out == [
        {"type": "lab", "analyte": "hbeag", "op": "=", "value": "negative"},
        {
            "type": "condition",
            "name": "chronic hepatitis b",
            "present": True,
            "codes": ["icd10cm:B18.1"],
        },
    ]


def test_sex_rules():
    assert rules("Male or female, aged 18 and over")[0] == {
        "type": "sex",
        "allowed": ["female", "male"],
    }
    assert all(
        r["type"] != "sex" for r in rules("Male and female participants must use contraception")
    )


def test_contract_example_from_design():
    text = (
        "Inclusion Criteria:\n* Platelets >= 50 x 10^9/L\n* AST, ALT <= 2.5 x ULN\n"
        "Exclusion Criteria:\n* Preoperative TACE or radiotherapy"
    )
    out = parse_criteria(text, "NCT04163237")
    assert out == {
        "nct_id": "NCT04163237",
        "parser_version": PARSER_VERSION,
        "criteria": [
            {
                "kind": "inclusion",
                "text": "Platelets >= 50 x 10^9/L",
                "applies_to": None,
                "rules": [lab("platelets", ">=", 50, "10^9/L")],
                "logic": "all",
            },
            {
                "kind": "inclusion",
                "text": "AST, ALT <= 2.5 x ULN",
                "applies_to": None,
                "rules": [lab("ast", "<=", 2.5, "xULN"), lab("alt", "<=", 2.5, "xULN")],
                "logic": "all",
            },
            {
                "kind": "exclusion",
                "text": "Preoperative TACE or radiotherapy",
                "applies_to": None,
                "rules": [
                    {"type": "therapy", "name": "transarterial chemoembolization", "present": True},
                    {"type": "therapy", "name": "radiotherapy", "present": True},
                ],
                "logic": "any",
            },
        ],
    }


def test_ctgov_comparator_spellings():
    assert rules("Age >/= 60 years") == [{"type": "age", "min": 60}]
    assert rules("ANC </= 1.5 x 10^9/L") == [lab("neutrophils", "<=", 1.5, "10^9/L")]


def test_antibody_positive_is_infection():
    out = rules("HIV antibody positive", "exclusion")
    assert out == [
        {"type": "condition", "name": "hiv infection", "present": True, "codes": ["icd10cm:B20"]}
    ]
