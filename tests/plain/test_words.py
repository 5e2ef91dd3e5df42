"""Rules and reasons in a patient's words: no internal names, no raw units, numbers as stated."""

from __future__ import annotations

import re

import pytest

from trialscout import vocab
from trialscout.plain import analyte_name, number, plain_reason, rule_phrase, unit_text
from trialscout.plain.words import tables

RAW = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|10\^|\bxULN\b|\bumol\b")


def test_every_vocabulary_analyte_has_a_plain_name():
    for key in vocab.analytes():
        name = analyte_name(key)
        assert "_" not in name and name, key


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ({"type": "lab", "analyte": "hbv_dna", "op": ">", "value": 343.642, "unit": "IU/mL"},
         "hepatitis B virus (HBV) DNA > 2000 copies/ml", "HBV DNA above 2,000 copies/mL"),
        ({"type": "lab", "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"},
         "Platelets ≥ 50×10^9/L", "platelets at least 50 ×10⁹/L"),
        ({"type": "lab", "analyte": "inr", "op": "<=", "value": 2, "unit": "1"}, "INR ≤ 2",
         "INR at most 2"),
        ({"type": "lab", "analyte": "icg_r15", "op": "<=", "value": 10, "unit": "%"}, "",
         "ICG retention at 15 minutes (ICG-R15) at most 10%"),
        ({"type": "lab", "analyte": "ast", "op": "<=", "value": 5, "unit": "xULN"}, "",
         "AST at most 5 × the upper limit of normal"),
        ({"type": "score", "system": "bclc", "allowed": ["A", "B"]}, "", "BCLC stage A or B"),
        ({"type": "age", "min": 18, "max": 75}, "", "aged 18 to 75"),
        ({"type": "condition", "name": "bleeding", "present": True, "within_days": 91}, "",
         "bleeding in the last 3 months"),
        ({"type": "therapy", "name": "sorafenib", "present": False}, "", "no sorafenib"),
    ],
)  # fmt: skip
def test_rule_phrase(rule, text, expected):
    assert rule_phrase(rule, text) == expected


def test_stated_number_only_when_it_converts_to_the_rule():
    rule = {"type": "lab", "analyte": "hbv_dna", "op": ">", "value": 343.642, "unit": "IU/mL"}
    # a different number in the text is not the trial's threshold: show the rule's own
    assert rule_phrase(rule, "HBV DNA > 5000 copies/ml") == "HBV DNA above 343.6 IU/mL"


@pytest.mark.parametrize(
    "reason",
    [
        "hbv_dna 859.105 IU/mL meets > 343.642 IU/mL",
        "no inr value given (needs <= 2 1); no neutrophils value given (needs >= 1.5 10^9/L)",
        "no icg_r15 value given (needs <= 10 %)",
        "platelets 40 10^9/L < 100 10^9/L",
        "no creatinine_clearance value given (needs >= 60 mL/min)",
    ],
)
def test_reasons_lose_internal_names_and_raw_units(reason):
    plain = plain_reason(reason)
    assert not RAW.search(plain), plain
    assert "the patient" not in plain


def test_numbers_and_units():
    assert number(2000) == "2,000" and number(1.5) == "1.5" and number(343.642) == "343.6"
    assert unit_text("10^9/L") == "×10⁹/L" and unit_text("umol/L") == "µmol/L"


def test_table_is_checked():
    assert set(tables()) == {
        *("analytes", "units", "ops", "symbols", "scores", "reasons", "statuses", "verdicts"),
        "to_doctor",
    }


def test_questions_turned_to_the_doctor():
    from trialscout.plain.words import to_doctor

    assert (
        to_doctor("Do you have (or have you had) ascites?") == "Do I have (or have I had) ascites?"
    )
    assert to_doctor("What was your latest HBV DNA result (value and unit)?").startswith(
        "What was my"
    )
    assert to_doctor("How old are you?") == ""
    survival = "What is your expected survival according to your doctor (in months)?"
    assert to_doctor(survival) == "What is my expected survival (in months)?"
