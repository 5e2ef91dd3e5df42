"""Issue 12: the search index's text handling stays linear on hostile criteria text."""

from __future__ import annotations

import time

from trialscout.search.index import split_criteria


def test_blank_lines_do_not_make_the_exclusion_split_quadratic():
    text = "Inclusion Criteria:\n- adults" + "\n" * 30_000 + "- no heading follows"
    started = time.perf_counter()
    inclusion, exclusion = split_criteria(text)
    assert time.perf_counter() - started < 0.5
    assert "adults" in inclusion and exclusion == ""


def test_the_exclusion_heading_is_still_found_after_blank_lines():
    inclusion, exclusion = split_criteria("Inclusion:\n- a\n\n\n  2. Exclusion Criteria:\n- b")
    assert "- a" in inclusion and exclusion.strip().startswith("2. Exclusion Criteria")
