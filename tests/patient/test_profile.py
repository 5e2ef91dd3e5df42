"""Contract-2 profiles (and questionnaire answers): one reader for a plain mapping."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from trialscout.patient import Assertion, PatientError, load_patient, profile_from_dict

EXAMPLE = Path(__file__).parents[2] / "examples" / "patient_hbv_hcc.yaml"


def test_contract_2_example(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "age: 52\nsex: male\nconditions: [hepatocellular carcinoma, chronic hepatitis B]\n"
        "scores: {bclc: A, child_pugh: A, ecog: 0}\n"
        "labs: {hemoglobin: 128 g/L, platelets: 150 10^9/L, alt: 1.2 xULN, hbv_dna: 8 IU/mL,"
        " hbeag: negative}\n"
        "therapies: [{name: hepatectomy, date: 2026-05-01}, {name: tenofovir}]\n"
        "location: {city: Ningbo, country: China}\n"
    )
    p = load_patient(path)
    assert (p.age, p.sex, p.scores["ecog"]) == (52, "male", "0")
    assert p.labs["alt"].unit == "xULN" and p.labs["platelets"].value == 150
    assert p.labs["hbeag"].result == "negative" and p.labs["hbeag"].value is None
    assert p.therapies[0].date == date(2026, 5, 1) and p.therapies[0].concept == "hepatectomy"
    assert p.conditions[0].concept == "hepatocellular carcinoma"
    assert p.complete_history is False and p.note is None
    again = profile_from_dict(p.to_profile(), "again")
    assert again.labs["hbeag"].result == "negative" and again.to_profile() == p.to_profile()


def test_units_go_through_the_vocabulary():
    p = profile_from_dict(
        {"labs": {"hba1c": "55 mmol/mol", "Hb": "12.8 g/dL", "hbv_dna": "<20 IU/mL", "inr": 1.1}}
    )
    assert p.labs["hba1c"].value == pytest.approx(7.2, abs=0.05) and p.labs["hba1c"].unit == "%"
    assert p.labs["hemoglobin"].value == pytest.approx(128)
    assert (p.labs["hbv_dna"].comparator, p.labs["hbv_dna"].value) == ("<", 20)
    assert p.labs["inr"].unit == "1"


@pytest.mark.parametrize(
    ("raw", "result"),
    [
        ("negative", "negative"),
        ("Positive", "positive"),
        ("not detected", "negative"),  # HBeAg: one spelling per analyte
        ("undetectable", "negative"),
    ],
)
def test_qualitative_labs(raw, result):
    assert profile_from_dict({"labs": {"hbeag": raw}}).labs["hbeag"].result == result


def test_hbv_dna_undetectable_and_dict_form():
    p = profile_from_dict(
        {
            "labs": {
                "hbv_dna": "undetectable",
                "anti_hcv": {"result": "negative", "date": "2026-01-02"},
                "platelets": {"value": 150, "unit": "10*9/L", "ref_low": 125},
            }
        }
    )
    assert p.labs["hbv_dna"].result == "undetectable"
    assert p.labs["anti_hcv"].result == "negative" and p.labs["anti_hcv"].date == date(2026, 1, 2)
    assert p.labs["platelets"].value == 150 and p.labs["platelets"].ref_low == 125


def test_complete_history_dates_and_status():
    p = profile_from_dict(
        {
            "complete_history": True,
            "conditions": [
                {"name": "HCC", "onset": "2025-01-01", "codes": ["icd10cm:C22.0"]},
                {"name": "hepatitis c", "status": "resolved", "abated": "2020-01-01"},
                {"name": "diabetes", "present": False},
            ],
            "therapies": [{"name": "TACE", "start": "2025-02-01", "end": "2025-03-01"}],
            "absent_therapies": ["sorafenib"],
        }
    )
    hcc, hcv, dm = p.conditions
    assert p.complete_history is True
    assert hcc.concept == "hepatocellular carcinoma" and hcc.codes == ["icd10cm:C22.0"]
    assert hcc.onset == date(2025, 1, 1) and hcc.current
    assert hcv.clinical_status == "resolved" and hcv.own and not hcv.current
    assert dm.present is False and dm.assertion == Assertion.NEGATED
    tace, sorafenib = p.therapies
    assert (tace.start, tace.end, tace.date) == (
        date(2025, 2, 1),
        date(2025, 3, 1),
        date(2025, 3, 1),
    )
    assert sorafenib.present is False


def test_codes_use_the_vocabulary_system_names():
    p = profile_from_dict({"conditions": [{"name": "primary tumour", "codes": ["icd-10-cm:c220"]}]})
    fact = p.conditions[0]
    assert fact.codes == ["icd10cm:C22.0"] and fact.concept == "hepatocellular carcinoma"
    assert fact.name == "primary tumour"


def test_example_file():
    ex = load_patient(EXAMPLE)
    assert any("hepatitis b" in term for term in ex.search_terms())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"age": "old"}, "p.yaml: age must be a number"),
        ({"age": -3}, "p.yaml: age must not be negative"),
        ({"age": 10**400}, "p.yaml: age is out of range"),
        ({"sex": "robot"}, "p.yaml: sex: sex must be male or female"),
        ({"labs": {"platelets": "lots"}}, "p.yaml: labs.platelets: not a quantity"),
        ({"labs": {"platelets": "5 furlongs"}}, "p.yaml: labs.platelets: unit not understood"),
        ({"agee": 3}, "unknown field(s) ['agee']"),
        ({"conditions": "hcc"}, "p.yaml: conditions must be a list"),
        ({"conditions": [{"name": "hcc", "codes": 5}]}, "p.yaml: conditions[0].codes must be"),
        ({"conditions": [{"name": "hcc", "codes": [5]}]}, "p.yaml: conditions[0].codes must be"),
        ({"therapies": [{"name": "x", "date": "May"}]}, "p.yaml: therapies[0]: date must be"),
        ({"complete_history": "yes"}, "p.yaml: complete_history must be true or false"),
        ({"location": {"lat": 1e999}}, "p.yaml: location.lat must be within"),
        ([1, 2], "a profile must be a mapping"),
    ],
)
def test_errors_name_file_and_field_not_value(data, message):
    with pytest.raises(PatientError) as err:
        profile_from_dict(data, "p.yaml")
    assert message in str(err.value)
    assert "robot" not in str(err.value) and "lots" not in str(err.value)


def test_json_profile_file(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"age": 40, "sex": "F", "labs": {"hbsag": "positive"}}))
    p = load_patient(path)
    assert p.sex == "female" and p.labs["hbsag"].result == "positive"
