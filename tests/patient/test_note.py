"""Notes -> facts with status, values in canonical units, qualitative results, place."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from trialscout.patient import Assertion, load_patient, note_mention, note_to_patient
from trialscout.patient.note import NoteText

DATA = Path(__file__).parent.parent / "data" / "patient"


def facts(patient):
    return {f.concept: f for f in [*patient.conditions, *patient.therapies]}


def test_real_note_facts_and_status():
    p = load_patient(DATA / "sigir-20141.txt")
    f = facts(p)
    assert p.complete_history and p.note
    assert f["hypertension"].assertion == Assertion.PRESENT and f["hypertension"].current
    assert f["diabetes mellitus"].present is False
    assert f["diabetes mellitus"].assertion == Assertion.NEGATED
    heart = [c for c in p.conditions if c.assertion == Assertion.FAMILY]
    assert heart and not heart[0].own
    assert all(c.name in p.search_terms() for c in p.conditions if c.own)
    assert not any(c.name in p.search_terms() for c in heart)


def test_real_note_values_in_canonical_units():
    p = load_patient(DATA / "trec-202129.txt")  # "A1c: 11.3%", "Creatinine: 0.9 mg/dL"
    assert (p.age, p.sex) == (24, "male")
    assert p.labs["hba1c"].value == pytest.approx(11.3) and p.labs["hba1c"].unit == "%"
    assert p.labs["creatinine"].unit == "umol/L"
    assert p.labs["creatinine"].value == pytest.approx(79.6, abs=0.1)
    assert p.labs["ast"].value == 17  # "Aspartate aminotransferase (AST): 17 U/L"
    p = load_patient(DATA / "trec-202138.txt")  # "Hgb: 11 g/dl", "WBC: 8000 /mm3"
    assert p.labs["hemoglobin"].value == pytest.approx(110) and p.labs["hemoglobin"].unit == "g/L"
    assert p.labs["wbc"].value == pytest.approx(8)
    assert p.pregnant is False  # "Beta hcg: negative for pregnancy"


def test_hba1c_in_mmol_per_mol_is_affine():
    p = note_to_patient("A 60-year-old man. HbA1c 55 mmol/mol.")
    assert p.labs["hba1c"].value == pytest.approx(7.2, abs=0.05)


@pytest.mark.parametrize(
    ("text", "analyte", "result"),
    [
        ("HBeAg negative, anti-HBe positive.", "hbeag", "negative"),
        ("HBeAg negative, anti-HBe positive.", "anti_hbe", "positive"),
        ("HBsAg positive for 10 years.", "hbsag", "positive"),
        ("Anti-HCV negative.", "anti_hcv", "negative"),
        ("HBV DNA undetectable on tenofovir.", "hbv_dna", "undetectable"),
        ("HBV DNA was below the limit of detection.", "hbv_dna", "undetectable"),
        ("HBV DNA not detected.", "hbv_dna", "undetectable"),
        ("He was negative for HBsAg.", "hbsag", "negative"),
        ("HBV DNA negative.", "hbv_dna", "undetectable"),  # one spelling per analyte
    ],
)
def test_qualitative_results(text, analyte, result):
    lab = note_to_patient(text).labs[analyte]
    assert (lab.value, lab.result) == (None, result)


@pytest.mark.parametrize(
    ("text", "analyte", "value", "unit"),
    [
        ("HBV DNA 2.3 x 10^4 IU/mL.", "hbv_dna", 23_000, "IU/mL"),
        ("HBV DNA was 1.2 × 10^5 copies/mL.", "hbv_dna", 20_618.5, "IU/mL"),  # factor in vocab
        ("Platelet count of 85 x10^9/L.", "platelets", 85, "10^9/L"),  # 10^9/L is the unit
        ("Platelets 85,000/uL.", "platelets", 85, "10^9/L"),
        ("Total bilirubin 2.1 mg/dL.", "bilirubin", 35.9, "umol/L"),
        ("Albumin 3.2 g/dL, INR 1.3.", "inr", 1.3, "1"),
        ("ALT 2.5 x ULN.", "alt", 2.5, "xULN"),
    ],
)
def test_values_with_powers_of_ten_and_units(text, analyte, value, unit):
    lab = note_to_patient(text).labs[analyte]
    assert lab.value == pytest.approx(value, rel=1e-3) and lab.unit == unit


def test_quantity_with_comparator_and_scores():
    p = note_to_patient(
        "HBV DNA < 20 IU/mL. ECOG PS 1. Child-Pugh class B. BCLC stage A. KPS 80%. "
        "Her child was a toddler."
    )
    assert (p.labs["hbv_dna"].comparator, p.labs["hbv_dna"].value) == ("<", 20)
    assert p.scores == {"ecog": "1", "child_pugh": "B", "bclc": "A", "karnofsky": "80"}


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("A 52-year-old man from Ningbo with HCC.", {"city": "Ningbo"}),
        ("She lives near Hangzhou and works as a teacher.", {"city": "Hangzhou"}),
        ("He is originally from China.", {"country": "China"}),
        ("Transferred from Memorial Hospital.", {}),
        ("A man from the ER.", {}),
    ],
)
def test_location(text, place):
    assert note_to_patient(text).location == place


def test_pregnancy_and_sex():
    assert note_to_patient("A 30-year-old woman, 12 weeks pregnant.").pregnant is True
    assert note_to_patient("A 30-year-old woman, not pregnant.").pregnant is False
    assert note_to_patient("A woman with pregnancy-induced hypertension.").pregnant is None
    assert note_to_patient("48 M with a h/o HTN").sex == "male"
    assert note_to_patient("A 10-month-old girl with fever").age == pytest.approx(0.83, abs=0.01)


def test_note_mention_uses_the_hierarchy():
    p = note_to_patient("A 60-year-old man with HCC. No diabetes. Family history of asthma.")
    assert note_mention(p, "hepatocellular carcinoma", "condition") == Assertion.PRESENT
    assert note_mention(p, "liver cancer", "condition") == Assertion.PRESENT  # narrower said
    assert note_mention(p, "type 2 diabetes mellitus", "condition") == Assertion.NEGATED
    assert note_mention(p, "asthma", "condition") == Assertion.FAMILY
    assert note_mention(p, "cirrhosis", "condition") is None
    assert note_mention(note_to_patient("No cancer."), "hepatocellular carcinoma", "condition") == (
        Assertion.NEGATED
    )


def test_note_text_mention_keeps_the_matcher_interface():
    note = NoteText(
        "She denies smoking. She has hypertension. Mother had sepsis. Fell off a ladder."
    )
    assert note.mention("hypertension") is True
    assert note.mention("HTN") is True  # an alias, by concept
    assert note.mention("smoking") is False
    assert note.mention("sepsis") is None  # family: not the patient's
    assert note.mention("ladder") is True  # outside the vocabulary: the phrase, same engine
    assert note.mention("asthma") is None


def test_linear_time_on_hostile_notes():
    # each about the largest note accepted (limits.MAX_NOTE_BYTES, 200 KB)
    hostile = ("no " * 60_000, "a" * 190_000, "denies diabetes, " * 11_000, "(" * 190_000)
    for text in (*hostile, "." * 190_000, "?!" * 95_000, "HbA1c " * 30_000):
        start = time.perf_counter()
        note = note_to_patient(text)
        NoteText(text).mention("hba1c level")
        assert time.perf_counter() - start < 3.0, text[:10]
    assert note.labs == {}
