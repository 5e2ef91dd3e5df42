"""The ConText engine: assertion status per category on real note sentences, and rule data."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscout.patient.context import assert_spans, load_rules, rules, tokenize, triggers
from trialscout.patient.model import Assertion
from trialscout.patient.note import NoteText

DATA = Path(__file__).parent.parent / "data" / "patient"


def states(path: str) -> dict[str, set[str]]:
    """Written mention -> the assertions it gets in the note."""
    text = (DATA / path).read_text()
    out: dict[str, set[str]] = {}
    for m in NoteText(text).mentions:
        out.setdefault(text[m.start : m.end].lower(), set()).add(m.assertion.value)
    return out


@pytest.mark.parametrize(
    ("note", "mention", "expected"),
    [
        # present
        ("sigir-20141.txt", "hypertension", "present"),  # She is known to have hypertension
        ("trec-202127.txt", "hcv infection", "present"),  # presents with chronic HCV infection
        # negated, forward over a list ("denies smoking, diabetes, hypercholesterolemia")
        ("sigir-20141.txt", "diabetes", "negated"),
        ("sigir-20141.txt", "hypercholesterolemia", "negated"),
        ("trec-202127.txt", "hepatocellular carcinoma", "negated"),  # biopsy was negative for
        ("trec-202127.txt", "hemochromatosis", "negated"),  # no evidence of A, B, C or D
        ("trec-202127.txt", "ascites", "negated"),  # soft with no ascites
        ("trec-202162.txt", "diabetes mellitus", "negated"),  # no other risk factors such as
        ("trec-202138.txt", "pregnancy", "negated"),  # Beta hcg: negative for pregnancy
        # historical
        ("sigir-201423.txt", "hypothyroidism", "historical"),  # past medical history notable
        ("sigir-201522.txt", "tuberculosis", "historical"),  # a history of tuberculosis
        ("sigir-201429.txt", "hypertension", "historical"),
        # family, also inside a negation ("or a family history of heart disease")
        ("sigir-20141.txt", "heart disease", "family"),
        ("sigir-201423.txt", "dementia", "family"),
        ("trec-202138.txt", "hypertension", "family"),  # Her 70-year-old father has hypertension
        ("trec-202121.txt", "type 2 diabetes", "family"),  # family history is positive for
        ("trec-202162.txt", "cad", "family"),  # a family history of CAD, but no other ...
        # a closing bracket ends a negation: "prior CVA (no residual deficits), HTN, HL"
        ("trec-20215.txt", "htn", "present"),
        # lines under a "Past Medical History:" heading are history
        ("trec-202115.txt", "hypertension", "historical"),
        ("trec-202115.txt", "atrial fibrillation", "historical"),
        # "seen in clinic for advice on osteoporosis" is no diagnosis
        ("sigir-201429.txt", "osteoporosis", "hypothetical"),
    ],
)
def test_assertion_on_real_sentences(note, mention, expected):
    assert states(note)[mention] == {expected}


def test_hypothetical_on_real_sentence():
    # "... hyperglycemia and concern for possible diabetic ketoacidosis after not taking ..."
    found = states("trec-202129.txt")
    assert "hypothetical" in found["diabetic ketoacidosis"]
    assert found["type 1 diabetes"] == {"present"}


@pytest.mark.parametrize(
    "text",
    [
        "He doesn't smoke or use any illicit drugs.",  # TREC 2021 topic 46
        "She is a social alcohol consumer with the negative history of smoking.",  # topic 42
    ],
)
def test_contracted_and_history_negations(text):
    start = text.index("smok")
    assert assert_spans(text, 0, [(start, start + 5)]) == [Assertion.NEGATED]


def test_time_ago_is_historical():
    text = "The patient had an uncomplicated myocardial infarction 2 years earlier."
    start = text.index("myocardial")
    assert assert_spans(text, 0, [(start, start + 21)]) == [Assertion.HISTORICAL]


def test_terminator_ends_negation_not_family():
    text = "No fever but diabetes. Her mother, who has cirrhosis, is well."
    spans = [(text.index("diabetes"), text.index("diabetes") + 8)]
    assert assert_spans(text[:22], 0, spans) == [Assertion.PRESENT]
    second = text[23:]
    start = text.index("cirrhosis")
    assert assert_spans(second, 23, [(start, start + 9)]) == [Assertion.FAMILY]


def test_pseudo_trigger_blocks_the_trigger_inside_it():
    text = "There was no increase in ascites. Cirrhosis was not ruled out."
    a = text.index("ascites")
    c = text.index("Cirrhosis")
    assert assert_spans(text[:33], 0, [(a, a + 7)]) == [Assertion.PRESENT]
    assert assert_spans(text[34:], 34, [(c, c + 9)]) == [Assertion.HYPOTHETICAL]


def test_backward_trigger_and_scope_limit():
    text = "Pneumonia was ruled out. No " + "word " * 20 + "cirrhosis."
    p = (0, 9)
    c = text.index("cirrhosis")
    assert assert_spans(text[:24], 0, [p]) == [Assertion.NEGATED]
    assert assert_spans(text, 0, [(c, c + 9)]) == [Assertion.PRESENT]  # beyond max_scope


def test_triggers_consume_longest_phrase():
    tokens = tokenize("no history of asthma")
    found = triggers(tokens)
    assert [" ".join(t.rule.phrase) for t in found] == ["no history of"]
    assert found[0].rule.category == "negated"


def test_rules_are_validated_data():
    assert rules().precedence[0] == "family"
    good = "defaults: {max_scope: 5, precedence: [family, hypothetical, negated, historical]}\n"
    assert load_rules(good + "rules: [{phrase: denies, category: negated}]").by_first["denies"]
    for bad, message in [
        ("rules: [{phrase: denies, category: maybe}]", "category must be one of"),
        ("rules: [{phrase: Denies, category: negated}]", "lower-case"),
        ("rules: [{phrase: x, category: negated, direction: up}]", "direction"),
        ("rules: [{phrase: x, category: negated, max_scope: 500}]", "max_scope"),
        ("rules: [{phrase: x, category: negated}, {phrase: x, category: family}]", "duplicate"),
        ("rules: [{phrase: x, category: negated, ends: [family]}]", "terminators only"),
    ]:
        with pytest.raises(ValueError, match=message):
            load_rules(good + bad)


def test_a_negated_narrower_thing_is_not_the_concepts_absence():
    """TREC 2021 topic 21: 'imaging was negative for obstructive pancreatitis' in a patient with
    acute pancreatitis must not read as 'no pancreatitis'."""
    from trialscout.patient import note_to_patient

    p = note_to_patient(
        "Imaging was negative for obstructive pancreatitis. He denies chest pain. "
        "No history of diabetes or stroke."
    )
    states = {c.name: c.assertion.value for c in p.conditions}
    assert "pancreatitis" not in states
    assert states["chest pain"] == "negated"
    assert states["diabetes mellitus"] == "negated"
    assert states["stroke"] == "negated"
