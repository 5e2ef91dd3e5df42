"""Issue 8 "done when": each reference trial's summary states nothing its page does not support,
at Flesch-Kincaid grade 8 or lower.

Sentences sourced from the record are checked against the page text: every number, every named
intervention and city, and every design/status claim must be on the page. Glossary sentences are
general explanations (side effects carry their label as reference) and are checked for a source.
"""

from __future__ import annotations

import re

import pytest

from tests.summary.conftest import DATA, REFERENCE_IDS, load_trial
from trialscout.summary import summarize
from trialscout.summary.glossary import load_glossary, normalize

PAGES = {
    "NCT07553767": ["000_0a63b7b258d0597b.txt"],
    "NCT07120750": ["001_39c64530434babba.txt"],
    # the 001 page carries a card for this trial (status, ages, sex, "Phase 0")
    "NCT07328711": ["002_87fb844fa70f28a1.txt", "001_39c64530434babba.txt"],
    "NCT04163237": ["003_8916d28122a1e7aa.txt"],
    "ZJCH-HAIC-2024": ["004_199bbb0c936cf597.txt"],
}
# (claim in a record-sourced sentence, what the page must say for it)
CLAIMS = [
    (r"\bnot picked by chance|non-randomized", r"non-randomized"),
    (r"(?<!non-)\brandomized\b", r"(?<!non-)randomized"),
    (r"open label", r"open[- ]label"),
    (r"observational", r"observational"),
    (r"early phase 1", r"phase 0|early phase"),
    (r"(?<!early )\bphase (\d)\b", r"phase {0}"),
    (r"looking for people to join now", r"recruiting"),
    (r"not started to enroll", r"not_yet_recruiting|not yet recruiting"),
    (r"does not say if the study is still going on", r"unknown"),
    (r"Healthy volunteers cannot join", r"no healthy volunteers|\bno\b"),
    (r"Both men and women", r"\ball\b"),
    (r"placebo", r"placebo"),
]
_NUM = re.compile(r"\d+(?:\.\d+)?")


def page_text(trial_id: str) -> str:
    return "\n".join((DATA / "pages" / name).read_text("utf-8") for name in PAGES[trial_id])


def _parsed(trial):
    """Parsed criteria from the criteria package (the CLI passes them)."""
    from trialscout.criteria import parse_criteria

    return parse_criteria(trial.eligibility.criteria, trial.trial_id)


@pytest.fixture(scope="module", params=["record only", "with parsed criteria"])
def summaries(request):
    out = {}
    for tid in REFERENCE_IDS:
        trial = load_trial(tid)
        criteria = _parsed(trial) if request.param == "with parsed criteria" else None
        out[tid] = (trial, summarize(trial, criteria))
    return out


@pytest.mark.parametrize("trial_id", REFERENCE_IDS)
def test_grade_is_8_or_lower(summaries, trial_id):
    _, s = summaries[trial_id]
    assert 0 < s.grade <= 8.0, s.grade


@pytest.mark.parametrize("trial_id", REFERENCE_IDS)
def test_record_sentences_are_supported_by_the_page(summaries, trial_id):
    trial, s = summaries[trial_id]
    page = page_text(trial_id)
    page_low = page.lower()
    page_norm = normalize(page).lower()
    for sentence in (x for sec in s.sections for x in sec.sentences):
        if sentence.source.startswith("glossary:"):
            continue
        counts = {str(len(getattr(trial, f, []) or [])) for f in ("locations", "arms")}
        for number in _NUM.findall(sentence.text):
            if sentence.source == "criteria":  # "There are N more rules": a count, not a fact
                continue
            # a number is on the page, or counts entries the page lists (4 locations)
            listed = sentence.source in ("locations", "arms") and number in counts
            assert number in page or listed, (number, sentence)
        for claim, needed in CLAIMS:
            m = re.search(claim, sentence.text, re.I)
            if m:
                pattern = needed.format(*m.groups())
                assert re.search(pattern, page_low, re.I), (needed, sentence)
        if sentence.source == "interventions":
            for iv in trial.interventions:
                stems = [w[:6] for w in normalize(iv.name).lower().split()]
                assert all(stem in page_norm for stem in stems), (iv.name, sentence)
        if sentence.source == "locations":
            for loc in trial.locations:
                assert loc.city and loc.city in page, sentence


@pytest.mark.parametrize("trial_id", REFERENCE_IDS)
def test_glossary_sentences_name_real_entries_and_side_effects_cite_a_reference(
    summaries, trial_id
):
    g = load_glossary()
    _, s = summaries[trial_id]
    for sentence in (x for sec in s.sections for x in sec.sentences):
        if "can cause" in sentence.text:
            key = sentence.source.removeprefix("glossary:")
            entry = g.get("interventions", key)
            assert entry and entry.side_effects, sentence
            assert sentence.reference == entry.side_effects.source


@pytest.mark.parametrize("trial_id", REFERENCE_IDS)
def test_conditions_in_plain_words_are_the_page_conditions(summaries, trial_id):
    g = load_glossary()
    trial, s = summaries[trial_id]
    page_norm = normalize(page_text(trial_id)).lower()
    for cond in trial.conditions:
        for m in g.find("conditions", cond):
            assert any(normalize(a).lower() in page_norm for a in m.entry.aliases), cond


def test_expected_content_of_the_reference_summaries(summaries):
    """What a reader of each page would look for is there (checked through the library)."""

    def texts(tid, title):
        return " ".join(x.text for x in summaries[tid][1].section(title).sentences)

    limits = "What could go wrong / limits of this study"
    assert "phase 1" in texts("NCT07553767", limits)
    assert "156 people" in texts("NCT07553767", "What taking part involves")
    assert "peginterferon alfa-2b" in texts("NCT07553767", "What is being tested")
    assert "Peginterferon alfa-2b can cause flu-like symptoms" in texts("NCT07553767", limits)
    assert "observational" in texts("NCT07120750", "What is being tested")
    assert "open label" in texts("NCT07120750", limits)
    assert "18 to 70 years" in texts("NCT07120750", "Who can join")
    assert "HBsAg" in texts("NCT07328711", "What this could lead to")
    assert "randomized" in texts("NCT04163237", "What taking part involves")
    assert "small study" in texts("NCT04163237", limits)
    assert "Sorafenib can cause" in texts("NCT04163237", limits)
    assert "PD-L1" in texts("ZJCH-HAIC-2024", "What is being tested")
