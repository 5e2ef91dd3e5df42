"""Contract-1 parsed criteria in everyday words, each sentence citing its rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.summary.conftest import load_trial
from trialscout.registry.model import Trial
from trialscout.summary import summarize
from trialscout.summary.glossary import load_glossary
from trialscout.summary.who import criteria_sentences, rule_sentence

DESIGN_EXAMPLE = json.loads(
    (Path(__file__).parents[1] / "data" / "contracts" / "criteria_design_example.json").read_text()
)

# The DESIGN.md example for NCT04163237 plus rules from that trial's own criteria text.
CRITERIA_003 = {
    "nct_id": "NCT04163237",
    "criteria": [
        *DESIGN_EXAMPLE["criteria"],
        {"kind": "inclusion", "text": "ECOG 0 points", "rules": [
            {"type": "score", "system": "ecog", "allowed": [0]}]},
        {"kind": "inclusion", "text": "BCLC stage A,B,C", "rules": [
            {"type": "score", "system": "bclc", "allowed": ["A", "B", "C"]}]},
        {"kind": "inclusion", "text": "Age 18-75", "rules": [{"type": "age", "min": 18, "max": 75}]},
        {"kind": "exclusion", "text": "Have a history of active autoimmune disease", "rules": [
            {"type": "condition", "name": "autoimmune disease", "present": True}]},
        {"kind": "exclusion", "text": "Serum creatinine > 1.5 x ULN", "rules": [
            {"type": "lab", "analyte": "creatinine", "op": ">", "value": 1.5, "unit": "xULN"}]},
        {"kind": "inclusion", "text": "Agree to provide tissue", "rules": [
            {"type": "other", "text": "Agree to provide tissue and pathological specimens"}]},
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "exclusion", "expected"),
    [
        ({"type": "lab", "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"}, False,
         "Your platelet count must be at least 50 10^9/L."),
        ({"type": "lab", "analyte": "alt", "op": "<=", "value": 2.5, "unit": "xULN"}, False,
         "Your ALT (a liver enzyme) must be at most 2.5 times the upper limit of normal."),
        ({"type": "lab", "analyte": "hbv_dna", "op": ">", "value": 2000, "unit": "copies/mL"}, True,
         "Your hepatitis B virus level (HBV DNA) must be at most 2000 copies/mL."),
        ({"type": "lab", "analyte": "icg_r15", "op": "<=", "value": 10, "unit": "%"}, False,
         "Your ICG test result (a liver function test) must be at most 10%."),
        ({"type": "therapy", "name": "sorafenib", "present": True}, True,
         "You cannot join if you have had sorafenib."),
        ({"type": "therapy", "name": "hepatectomy", "present": True}, False,
         "You must have had hepatectomy."),
        ({"type": "therapy", "name": "corticosteroids", "present": True, "within_days": 180}, True,
         "You cannot join if you have had corticosteroids in the last 6 months."),
        ({"type": "therapy", "name": "vaccine", "present": True, "within_days": 28}, True,
         "You cannot join if you have had vaccine in the last 4 weeks."),
        ({"type": "therapy", "name": "surgery", "present": True, "within_days": 10}, True,
         "You cannot join if you have had surgery in the last 10 days."),
        ({"type": "condition", "name": "hepatocellular carcinoma", "present": True}, False,
         "You must have liver cancer (HCC)."),
        ({"type": "condition", "name": "decompensated cirrhosis", "present": True}, True,
         "You cannot join if you have decompensated cirrhosis (liver scarring so bad that the liver is failing)."),
        ({"type": "score", "system": "child_pugh", "allowed": ["A"]}, False,
         "Your Child-Pugh class must be A."),
        ({"type": "score", "system": "ecog", "allowed": [2, 3, 4]}, True,
         "You cannot join if your ECOG score is 2, 3 or 4."),
        ({"type": "score", "system": "karnofsky", "op": ">=", "value": 70}, False,
         "Your Karnofsky score must be at least 70."),
        ({"type": "life_expectancy", "op": ">=", "value": 3, "unit": "months"}, False,
         "Your doctors must expect you to live at least 3 months."),
        ({"type": "sex", "allowed": ["female"]}, False, "Only women can join."),
        ({"type": "other", "text": "Signed consent"}, False, None),
        ({"type": "lab", "analyte": "alt", "op": "~", "value": 1}, False, None),
        ({"type": "lab", "analyte": "alt"}, False, None),
    ],
)  # fmt: skip
def test_rule_sentences(rule, exclusion, expected):
    assert rule_sentence(rule, exclusion, load_glossary()) == expected


def test_criteria_become_who_can_join_sentences_with_rule_sources():
    trial = load_trial("NCT04163237")
    s = summarize(trial, CRITERIA_003)
    who = s.section("Who can join").sentences
    by_source = {x.source: x.text for x in who}
    assert by_source["criteria[0].rules[0]"] == "Your platelet count must be at least 50 10^9/L."
    assert by_source["criteria[2].rules[0]"] == (
        "You cannot join if you have had transarterial chemoembolization."
    )
    assert by_source["criteria[4].rules[0]"] == "Your BCLC stage must be A, B or C."
    assert by_source["criteria[7].rules[0]"] == (
        "Your creatinine (a kidney test) must be at most 1.5 times the upper limit of normal."
    )
    assert "glossary:ecog" in by_source and "glossary:bclc" in by_source
    # the age rule repeats the record's age range, so it is not said twice; "other" is counted
    assert "criteria[5].rules[0]" not in by_source
    assert by_source["criteria"].startswith("There is 1 more rule in the full list")
    assert s.grade <= 8.0


def test_age_and_sex_rules_are_said_when_the_record_lacks_them():
    trial = Trial(trial_id="X-2")
    crit = {"criteria": [
        {"kind": "inclusion", "rules": [{"type": "age", "min": 18, "max": 65}]},
        {"kind": "inclusion", "rules": [{"type": "sex", "allowed": ["male"]}]},
    ]}  # fmt: skip
    who = summarize(trial, crit).section("Who can join").sentences
    assert [(x.text, x.source) for x in who] == [
        ("You must be 18 to 65 years old.", "criteria[0].rules[0]"),
        ("Only men can join.", "criteria[1].rules[0]"),
    ]


def test_long_criteria_are_capped_and_counted():
    crit = {"criteria": [
        {"kind": "inclusion", "rules": [
            {"type": "lab", "analyte": "platelets", "op": ">=", "value": i, "unit": "10^9/L"}]}
        for i in range(20)
    ]}  # fmt: skip
    out = criteria_sentences(crit, load_glossary())
    assert len([x for x in out if x.source.startswith("criteria[")]) == 12
    assert out[-1].text.startswith("There are 8 more rules")


def test_real_parser_output_renders():
    from trialscout.criteria import parse_criteria as parse

    trial = load_trial("NCT04163237")
    parsed = parse(trial.eligibility.criteria or "", trial.trial_id)
    s = summarize(trial, parsed)
    assert s.section("Who can join").sentences


rule_values = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
                        st.lists(st.one_of(st.integers(), st.text(max_size=3)), max_size=3))  # fmt: skip
rules = st.dictionaries(
    st.sampled_from(["type", "analyte", "op", "value", "unit", "name", "present", "system",
                     "allowed", "min", "max", "within_days", "text"]),
    rule_values,
)  # fmt: skip
fuzz_rules = st.one_of(
    rules,
    rules.map(lambda r: {**r, "type": "lab"}),
    rules.map(lambda r: {**r, "type": "score"}),
    rules.map(lambda r: {**r, "type": "therapy"}),
    st.text(max_size=5),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.fixed_dictionaries(
    {"kind": st.sampled_from(["inclusion", "exclusion", "other"]), "rules": st.lists(fuzz_rules, max_size=4)}
), max_size=5))  # fmt: skip
def test_malformed_criteria_never_crash(items):
    out = criteria_sentences({"criteria": items}, load_glossary())
    assert all(s.text.endswith(".") for s in out)
