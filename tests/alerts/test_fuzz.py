"""Arbitrary input never crashes the parts that read user or registry text."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from trialscout.alerts.criteria_items import _split_simple, diff_items
from trialscout.alerts.errors import InvalidEmail, InvalidToken
from trialscout.alerts.subscriptions import normalize_email
from trialscout.alerts.tokens import parse_token

criteria_text = st.lists(
    st.sampled_from([*"abc XYZ-*•1.):\n\t", "Inclusion Criteria:", "Exclusion", "\n- "]),
    max_size=120,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(criteria_text)
def test_criteria_items_total_and_stable(text):
    assert diff_items(text, text) == []
    assert all(item.text == " ".join(item.text.split()) for item in _split_simple(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_tokens_and_emails_fail_only_with_clear_errors(text):
    for purpose in ("confirm", "unsub"):
        with contextlib.suppress(InvalidToken):
            parse_token(text, purpose)
    with contextlib.suppress(InvalidEmail):
        assert "@" in normalize_email(text)
