"""The glossary is validated data; lookups find real intervention names from the demo records."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from trialscout.registry.sources import read_path
from trialscout.summary.glossary import load_glossary, normalize, parse_glossary

GLOSSARY_FILE = Path(__file__).parents[2] / "src/trialscout/summary/glossary.yaml"
DEMO = Path(__file__).parents[2] / "src/trialscout/data/demo"
LIVER = re.compile(r"liver|hepat|hcc|cirrho|biliary|cholang|hbv|hcv", re.I)


def test_bundled_glossary_loads_and_every_side_effect_has_a_source():
    g = load_glossary()
    assert len(g.entries["interventions"]) > 80
    for entry in g.entries["interventions"].values():
        if entry.side_effects:
            assert entry.side_effects.source.strip()
            assert all(
                item and not item.startswith(("which", "and ")) for item in entry.side_effects.items
            )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"interventions": [{"key": "x", "aliases": ["x"], "kind": "drug"}]}, "missing plain"),
        (
            {"interventions": [{"key": "x", "aliases": ["x"], "kind": "pill", "plain": "p"}]},
            "kind 'pill'",
        ),
        (
            {
                "interventions": [
                    {
                        "key": "x",
                        "aliases": ["x"],
                        "kind": "drug",
                        "plain": "p",
                        "side_effects": {"items": ["a"]},
                    }
                ]
            },
            "'source'",
        ),
        (
            {"terms": [{"key": "a", "plain": "A."}, {"key": "a", "plain": "B."}]},
            "duplicate key 'a'",
        ),
        ({"drugs": []}, "unknown categories"),
        ({"conditions": [{"key": "c", "aliases": "c", "plain": "c"}]}, "aliases must be a list"),
        ({"terms": [{"key": "t", "plain": "T.", "colour": 1}]}, "unknown keys"),
    ],
)
def test_invalid_glossary_names_the_bad_entry(data, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_glossary(data)


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Peg-IFNα-2b", ["peginterferon alfa-2b"]),
        (
            "Combination of pegylated interferon alfa-2b and ribavirin",
            ["peginterferon alfa-2b", "ribavirin"],
        ),
        ("peginterferon alfa-2a (40KD) [PEGASYS]", ["peginterferon alfa-2a"]),
        ("Sorafenib (Nexavar, BAY43-9006)", ["sorafenib"]),
        ("PD-L1 monoclonal antibody", ["PD-L1 antibody"]),
        ("Transjugular Intrahepatic Portasystemic Shunts (TIPS)", ["TIPS"]),
        ("yttrium Y 90 microspheres (TheraSphere®)", ["radioembolization"]),
        ("NAs therapy", ["antiviral pills (NAs)"]),
        ("Hepatic arterial infusion chemotherapy", ["hepatic arterial infusion chemotherapy"]),
        ("Healthy eating tips", []),  # a short alias counts only when written as an abbreviation
    ],
)
def test_find_interventions(name, keys):
    found = list(dict.fromkeys(m.entry.key for m in load_glossary().find("interventions", name)))
    assert found == keys


def test_normalize_spells_greek_and_squeezes_punctuation():
    assert normalize("Peg-IFNα-2b®").lower() == "peg ifn alfa 2b"


def test_glossary_covers_drugs_and_procedures_of_the_liver_demo_trials():
    """Issue 8: the glossary covers the drugs and procedures in the liver/hepatitis demo trials."""
    g = load_glossary()
    names = set()
    for path in sorted(DEMO.rglob("*")):
        if not path.is_file():
            continue
        for record in read_path(path):
            t = record.trial
            if t and LIVER.search(" ".join([*t.conditions, *t.condition_terms, t.title])):
                names |= {
                    iv.name
                    for iv in t.interventions
                    if iv.type in (None, "DRUG", "BIOLOGICAL", "PROCEDURE", "RADIATION")
                }
    missing = sorted(n for n in names if not g.find("interventions", n))
    assert len(names) > 80
    assert missing == [], missing


def test_yaml_is_plain_data():
    data = yaml.safe_load(GLOSSARY_FILE.read_text("utf-8"))
    assert set(data) <= {"interventions", "terms", "conditions", "outcomes", "tests", "labs"}
