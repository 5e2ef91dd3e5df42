"""Chips read as the criterion means them: a rule under a negation is shown negated."""

from __future__ import annotations

from trialscout.criteria import parse_criteria
from trialscout.plain import chip_rules, rule_phrase


def _chips(text: str) -> list[str]:
    (criterion,) = parse_criteria(text)["criteria"]
    return [rule_phrase(r, criterion["text"]) for r in chip_rules(criterion)]


def test_a_negated_list_shows_no_treatment_not_treated_with():
    chips = _chips(
        "Inclusion Criteria:\n- No prior systemic chemotherapy, immunotherapy or targeted "
        "therapy for HCC"
    )
    assert chips and all(c.startswith("no ") for c in chips), chips
    assert not any("treated with" in c for c in chips)


def test_rules_outside_a_negation_keep_their_meaning():
    assert _chips("Exclusion Criteria:\n- Prior sorafenib") == ["treated with sorafenib"]
