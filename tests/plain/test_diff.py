"""Two versions shown where they differ, not cut to a common prefix."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trialscout.plain.diff import where_differ


def test_change_after_sixty_characters_is_shown():
    base = "A Phase 3 Randomized Study of Adjuvant Therapy After Resection of Hepatocellular "
    old, new = base + "Carcinoma in Adults", base + "Carcinoma in Children"
    shown_old, shown_new = where_differ(old, new)
    assert shown_old != shown_new
    assert "Adults" in shown_old and "Children" in shown_new
    assert shown_old.startswith("…") and len(shown_old) <= 62


def test_short_texts_are_shown_whole():
    assert where_differ("RECRUITING", "COMPLETED") == ("RECRUITING", "COMPLETED")


@given(st.text(max_size=200), st.text(max_size=200))
def test_different_texts_never_look_the_same(old, new):
    shown = where_differ(old, new)
    assert (shown[0] == shown[1]) == (old == new)
    assert all(len(s) <= 62 for s in shown if len(old) > 60 or len(new) > 60)
