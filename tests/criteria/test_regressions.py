"""Wrong rules found downstream (by the matcher), kept as explicit cases: `other` beats wrong."""

from __future__ import annotations

import pytest

from trialscout.criteria import parse_criteria


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        # An exclusion that asks for a test is a procedure: read as "not pregnant" it would
        # exclude every patient who is not pregnant.
        (
            "Exclusion Criteria:\n* Women of child-bearing potential without a negative pregnancy test",
            [
                {
                    "type": "other",
                    "text": "Women of child-bearing potential without a negative pregnancy test",
                }
            ],
        ),
        (
            "Inclusion Criteria:\n* Negative serum pregnancy test within 7 days",
            [{"type": "condition", "name": "pregnancy", "present": False}],
        ),
        (
            "Exclusion Criteria:\n* Pregnant women; women of childbearing potential must have a negative pregnancy test",
            [{"type": "condition", "name": "pregnancy", "present": True}],
        ),
    ],
)
def test_pregnancy_tests(text, rules):
    (criterion,) = parse_criteria(text)["criteria"]
    assert [{k: v for k, v in r.items() if k != "codes"} for r in criterion["rules"]] == rules
