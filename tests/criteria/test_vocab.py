"""Vocabulary access used by the matcher: aliases, classes, hierarchy, validation of the files."""

from __future__ import annotations

import pytest

from trialscout.criteria import vocab


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("Hb", "hemoglobin"),
        ("haemoglobin", "hemoglobin"),
        ("ANC", "neutrophils"),
        ("PLT", "platelets"),
        ("SGPT", "alt"),
        ("aspartate aminotransferase", "ast"),
        ("total bilirubin", "bilirubin"),
        ("HBV DNA", "hbv_dna"),
        ("hbv_dna", "hbv_dna"),
        ("alpha-fetoprotein", "afp"),
        ("CrCl", "creatinine_clearance"),
    ],
)
def test_analyte_aliases(alias, canonical):
    assert vocab.canonical_analyte(alias) == canonical
    assert vocab.analyte(alias).name == canonical


def test_every_analyte_has_a_readable_canonical_unit():
    for item in vocab.analytes().values():
        assert vocab.normalize_quantity(item.name, 1, item.unit).unit == item.unit


@pytest.mark.parametrize(
    ("child", "parent", "expected"),
    [
        ("hepatocellular carcinoma", "liver cancer", True),
        ("HCC", "cancer", True),
        ("liver cancer", "hepatocellular carcinoma", False),
        ("chronic hepatitis B", "hepatitis B virus infection", True),
        ("HBeAg-positive chronic hepatitis B", "liver disease", True),
        ("decompensated cirrhosis", "cirrhosis", True),
        ("cirrhosis", "cirrhosis", True),
        ("HIV infection", "liver disease", False),
        ("not a concept", "cancer", False),
    ],
)
def test_is_a(child, parent, expected):
    assert vocab.is_a(child, parent) is expected


@pytest.mark.parametrize(
    ("drug", "klass"),
    [
        ("tenofovir", "nucleos(t)ide analogue"),
        ("entecavir", "nucleos(t)ide analogue"),
        ("TDF", "nucleos(t)ide analogue"),
        ("sorafenib", "tyrosine kinase inhibitor"),
        ("atezolizumab", "immune checkpoint inhibitor"),
        ("TACE", "locoregional therapy"),
        ("unknown drug", None),
    ],
)
def test_drug_class(drug, klass):
    assert vocab.drug_class(drug) == klass


def test_score_systems_are_closed_scales_or_numeric():
    systems = vocab.score_systems()
    assert systems["ecog"].values == (0, 1, 2, 3, 4, 5)
    assert systems["child_pugh"].values == ("A", "B", "C")
    assert systems["bclc"].values == ("0", "A", "B", "C", "D")
    assert systems["karnofsky"].numeric


def test_bad_vocabulary_entries_raise_naming_the_key(monkeypatch):
    def fake_load(name):
        return {
            "analytes": {
                "broken": {"unit": "g/L", "pint": "g/L", "uln_ok": False, "aliases": ["Upper"]}
            }
        }

    monkeypatch.setattr(vocab, "_load", fake_load)
    vocab.analytes.cache_clear()
    try:
        with pytest.raises(ValueError, match="'broken'"):
            vocab.analytes()
    finally:
        monkeypatch.undo()
        vocab.analytes.cache_clear()
    assert "hemoglobin" in vocab.analytes()


def test_unknown_condition_parent_is_rejected(monkeypatch):
    monkeypatch.setattr(
        vocab, "_load", lambda name: {"conditions": {"x": {"parents": ["nope"], "aliases": ["x"]}}}
    )
    vocab.conditions.cache_clear()
    try:
        with pytest.raises(ValueError, match="unknown parent 'nope'"):
            vocab.conditions()
    finally:
        monkeypatch.undo()
        vocab.conditions.cache_clear()
