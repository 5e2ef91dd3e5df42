"""The parser's phrase lists are data: loaded, checked on load, and read by the concept finder."""

from __future__ import annotations

import pytest

from trialscout.criteria import phrases as phrases_module
from trialscout.criteria.parser import parse_criteria


def test_cue_lists_load_as_whole_word_alternations():
    cues = phrases_module.phrases().cues
    assert {"except", "therapy", "therapy_negation", "condition_negation"} <= set(cues)
    assert "apart\\ from" in cues["except"] or "apart from" in cues["except"]


def test_a_cue_list_that_is_not_lower_case_words_is_refused_by_name():
    with pytest.raises(ValueError, match="'therapy'"):
        phrases_module._cues({"cues": {"therapy": ["Prior"]}})


def _therapy_rules(text: str) -> list[dict]:
    parsed = parse_criteria(text)
    return [r for c in parsed["criteria"] for r in c["rules"] if r["type"] == "therapy"]


def test_therapy_cue_words_decide_whether_a_mention_is_a_rule():
    """'prior sorafenib' is a rule; a bare mention inside an inclusion sentence is not."""
    assert _therapy_rules("Exclusion Criteria:\n- Prior sorafenib")
    assert not _therapy_rules("Inclusion Criteria:\n- Willing to discuss sorafenib dosing")


def test_except_cue_makes_an_exception_not_a_rule():
    rules = _therapy_rules("Exclusion Criteria:\n- Any prior therapy except sorafenib")
    assert all(r.get("name") != "sorafenib" for r in rules)
