"""The one vocabulary: aliases, hierarchy (curated and ICD-10-CM), codes, validation of the files."""

from __future__ import annotations

import importlib

import pytest
import yaml

from trialscout import vocab

# the package re-exports a function named `concepts`, which hides the module of that name
concepts_module = importlib.import_module("trialscout.vocab.concepts")
labs_module = importlib.import_module("trialscout.vocab.labs")


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
        ("HBeAg", "hbeag"),
    ],
)
def test_analyte_aliases(alias, canonical):
    assert vocab.canonical_analyte(alias) == canonical
    assert vocab.analyte(alias).name == canonical


def test_every_analyte_has_a_readable_canonical_unit():
    for item in vocab.analytes().values():
        assert vocab.to_canonical(item.name, 1, item.unit).unit == item.unit


@pytest.mark.parametrize(
    ("child", "parent", "expected"),
    [
        ("hepatocellular carcinoma", "liver cancer", True),
        ("HCC", "cancer", True),
        ("liver cancer", "hepatocellular carcinoma", False),
        ("primary liver cancer", "liver cancer", True),
        ("primary liver cancer", "hepatocellular carcinoma", False),
        ("chronic hepatitis B", "hepatitis B virus infection", True),
        ("HBeAg-positive chronic hepatitis B", "liver disease", True),
        ("decompensated cirrhosis", "cirrhosis", True),
        ("cirrhosis", "cirrhosis", True),
        ("HIV infection", "liver disease", False),
        ("non-small cell lung cancer", "cancer", True),
        ("hepatocellular carcinoma", "lung cancer", False),
        ("not a concept", "cancer", False),
    ],
)
def test_condition_hierarchy(child, parent, expected):
    assert vocab.is_a(child, parent, "condition") is expected


@pytest.mark.parametrize(
    ("drug", "klass", "expected"),
    [
        ("tenofovir", "nucleos(t)ide analogue", True),
        ("tenofovir", "antiviral therapy", True),
        ("entecavir", "nucleos(t)ide analogue", True),
        ("sorafenib", "tyrosine kinase inhibitor", True),
        ("atezolizumab", "immune checkpoint inhibitor", True),
        ("TACE", "locoregional therapy", True),
        ("sorafenib", "antiviral therapy", False),
    ],
)
def test_therapy_hierarchy(drug, klass, expected):
    assert vocab.is_a(drug, klass, "therapy") is expected


def test_primary_liver_cancer_means_one_thing():
    """Issue 11: it was liver cancer in one file and HCC in another."""
    assert vocab.canonical("primary liver cancer", "condition") == "primary liver cancer"
    assert vocab.canonical("HCC", "condition") == "hepatocellular carcinoma"


@pytest.mark.parametrize(
    ("system", "code", "concept"),
    [
        ("http://hl7.org/fhir/sid/icd-10-cm", "C22.0", "hepatocellular carcinoma"),
        ("icd-10-cm", "C22.0", "hepatocellular carcinoma"),
        ("icd10cm", "C220", "hepatocellular carcinoma"),
        ("icd10cm", "C22.9", "liver cancer"),  # nearest coded ancestor in the ICD-10-CM tree
        ("icd10cm", "B18.1", "chronic hepatitis b"),
        ("http://example.org/unknown", "C22.0", None),
    ],
)
def test_by_code(system, code, concept):
    found = vocab.by_code(system, code)
    assert (found.id if found else None) == concept


def test_score_systems_are_closed_scales_or_numeric():
    systems = vocab.score_systems()
    assert systems["ecog"].values == (0, 1, 2, 3, 4, 5)
    assert systems["child_pugh"].values == ("A", "B", "C")
    assert systems["bclc"].values == ("0", "A", "B", "C", "D")
    assert systems["karnofsky"].numeric


def test_finder_prefers_the_longest_concept_and_reads_negated_aliases():
    found = vocab.find("No NSCLC or non-small cell lung cancer; HIV negative; HBV DNA < 20 IU/mL")
    assert [(m.kind, m.id, m.negated) for m in found] == [
        ("condition", "non-small cell lung cancer", False),
        ("condition", "non-small cell lung cancer", False),
        ("condition", "hiv infection", True),
        ("lab", "hbv_dna", False),
    ]
    assert found[1].text == "non-small cell lung cancer"


def test_finder_needs_word_boundaries():
    assert vocab.find("HCCs, thcc, hcc2") == []  # "hcc" inside other words
    assert [m.id for m in vocab.find("(HCC)")] == ["hepatocellular carcinoma"]


def _broken(monkeypatch, module, name, data):
    monkeypatch.setattr(module, "read", lambda _name: data)
    for fn in (concepts_module.concepts, concepts_module._aliases, labs_module.analytes):
        fn.cache_clear()


@pytest.fixture
def restore_caches():
    yield
    for fn in (concepts_module.concepts, concepts_module._aliases, labs_module.analytes):
        fn.cache_clear()


def test_bad_analyte_entries_raise_naming_the_key(monkeypatch, restore_caches):
    _broken(
        monkeypatch, labs_module, "labs.yaml", {"broken": {"unit": "g/L", "aliases": ["Upper"]}}
    )
    with pytest.raises(ValueError, match="'broken'"):
        vocab.analytes()


def test_unknown_condition_parent_is_rejected(monkeypatch, restore_caches):
    _broken(monkeypatch, concepts_module, "conditions.yaml", {"x": {"parents": ["nope"]}})
    with pytest.raises(ValueError, match="unknown parent 'nope'"):
        vocab.concepts("condition")


def test_an_alias_naming_two_concepts_is_rejected(monkeypatch, restore_caches):
    data = {"a": {"aliases": ["same"]}, "b": {"aliases": ["same"]}}
    _broken(monkeypatch, concepts_module, "conditions.yaml", data)
    with pytest.raises(ValueError, match="'same' names both"):
        vocab.canonical("same", "condition")


def test_data_files_are_plain_yaml_mappings():
    from importlib import resources

    for name in ("conditions.yaml", "therapies.yaml", "labs.yaml", "scores.yaml"):
        text = resources.files("trialscout.vocab").joinpath("data", name).read_text("utf-8")
        assert isinstance(yaml.safe_load(text), dict)


def test_the_icd_tree_has_no_cycles():
    """A category with its block's code (C50) once pointed at itself and hung every parse."""
    icd = importlib.import_module("trialscout.vocab.icd")
    for code, (parent, _names) in icd.table().items():
        assert parent != code
    assert icd.ancestors("C50.9") == ("C50", "2")


@pytest.mark.parametrize("kind", ["condition", "therapy"])
def test_every_alias_names_one_concept(kind):
    """The whole vocabulary loads: no alias of two concepts, no unknown parent."""
    assert vocab.canonical("no such thing", kind) is None
    assert len(vocab.concepts(kind)) > 100
