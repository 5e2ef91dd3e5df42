"""The three input kinds -> one Patient; bad input -> an error naming file and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialscout.patient import PatientError, load_patient, note_to_patient, profile_from_dict

DATA = Path(__file__).parent.parent / "data" / "patient"
EXAMPLE = Path(__file__).parents[2] / "examples" / "patient_hbv_hcc.yaml"


def test_profile_yaml(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "age: 52\nsex: male\nconditions: [hepatocellular carcinoma]\n"
        "scores: {bclc: A, child_pugh: A, ecog: 0}\n"
        "labs: {hemoglobin: 128 g/L, platelets: 150 10^9/L, alt: 1.2 xULN, hbv_dna: 8 IU/mL}\n"
        "therapies: [{name: hepatectomy, date: 2026-05-01}, {name: tenofovir}]\n"
        "location: {city: Ningbo, country: China}\n"
    )
    p = load_patient(path)
    assert (p.age, p.sex, p.scores["ecog"]) == (52, "male", "0")
    assert p.labs["alt"].unit == "xULN" and p.labs["platelets"].value == 150
    assert p.therapies[0].date.isoformat() == "2026-05-01"
    assert p.to_profile()["conditions"] == ["hepatocellular carcinoma"]
    assert p.note is None


def test_profile_json_and_example(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"age": 40, "sex": "F", "labs": {"inr": 1.1}}))
    p = load_patient(path)
    assert p.sex == "female" and p.labs["inr"].unit == "1"
    ex = load_patient(EXAMPLE)
    assert "chronic hepatitis b" in ex.search_terms()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"age": "old"}, "p.yaml: age must be a number"),
        ({"sex": "robot"}, "p.yaml: sex: sex must be male or female"),
        ({"labs": {"platelets": "lots"}}, "p.yaml: labs.platelets: not a quantity"),
        ({"agee": 3}, "unknown field(s) ['agee']"),
        ({"conditions": "hcc"}, "p.yaml: conditions must be a list"),
        (
            {"therapies": [{"name": "x", "date": "May"}]},
            "p.yaml: therapies[0]: date must be YYYY-MM-DD",
        ),
        ([1, 2], "a profile must be a mapping"),
    ],
)
def test_profile_errors_name_file_and_field(data, message):
    with pytest.raises(PatientError) as err:
        profile_from_dict(data, "p.yaml")
    assert message in str(err.value)


def test_bad_files(tmp_path):
    (tmp_path / "bad.yaml").write_text("age: [unclosed")
    with pytest.raises(PatientError, match="bad.yaml: not valid YAML"):
        load_patient(tmp_path / "bad.yaml")
    with pytest.raises(PatientError, match="no such patient file"):
        load_patient(tmp_path / "missing.yaml")
    (tmp_path / "p.csv").write_text("x")
    with pytest.raises(PatientError, match="unknown patient file type"):
        load_patient(tmp_path / "p.csv")
    (tmp_path / "empty.txt").write_text("  ")
    with pytest.raises(PatientError, match="the note is empty"):
        load_patient(tmp_path / "empty.txt")


def test_mcode_bundle():
    p = load_patient(DATA / "mcode_patient01.json")
    assert p.sex == "female" and p.age is not None and p.age >= 60
    names = [c.name for c in p.conditions]
    assert "infiltrating duct carcinoma of breast" in names
    assert "secondary malignant neoplasm of liver" in names
    assert p.scores == {"stage": "IV", "ecog": "1"}
    assert {"fulvestrant", "ribociclib", "abemaciclib"} <= {t.name for t in p.therapies}


def test_synthea_bundle_labs_in_ucum():
    p = load_patient(DATA / "synthea_prostate.json.gz")
    assert p.sex == "male"
    assert p.labs["platelets"].unit == "10*3/uL"
    assert p.labs["alt"].unit == "U/L"
    assert any(c.name == "carcinoma in situ of prostate" for c in p.conditions)
    assert any(t.name == "prostatectomy" for t in p.therapies)


def test_invalid_fhir_resource_names_entry(tmp_path):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "gender": "male", "birthDate": "1970-01-01"}},
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": "not-a-concept",
                }
            },
        ],
    }
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    with pytest.raises(PatientError) as err:
        load_patient(path)
    assert "b.json: entry[1] (Observation): invalid field 'code'" in str(err.value)


def test_trec_note():
    p = load_patient(DATA / "trec-20217.txt")
    assert (p.age, p.sex) == (60, "male")
    names = {c.name: c.present for c in p.conditions}
    assert names["hepatitis c"] and names["cirrhosis"] and names["esophageal varices"]
    assert names["hypertension"]
    assert "interferon" in {t.name for t in p.therapies} or "peginterferon" in {
        t.name for t in p.therapies
    }


def test_note_negation_and_values():
    p = note_to_patient(
        "A 58-year-old woman. She denies smoking, diabetes, or hypercholesterolemia. "
        "ECOG performance status 1. Child-Pugh class B. Platelet count of 85 x10^9/L. "
        "Hemoglobin 9.8 g/dL. Family history of colon cancer."
    )
    facts = {c.name: c.present for c in p.conditions}
    assert facts["smoking"] is False and facts["diabetes mellitus"] is False
    assert "colorectal cancer" not in facts  # family history is not the patient's
    assert p.scores == {"ecog": "1", "child_pugh": "B"}
    assert p.labs["platelets"].value == 85 and p.labs["hemoglobin"].unit == "g/dL"
    assert p.sex == "female" and p.age == 58


def test_note_sex_shorthand_and_infant():
    assert note_to_patient("48 M with a h/o HTN").sex == "male"
    assert note_to_patient("A 10-month-old girl with fever").age == pytest.approx(0.83, abs=0.01)
