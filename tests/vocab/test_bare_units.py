"""Unitless lab numbers: read by range, refused where the ranges would overlap."""

from __future__ import annotations

import pytest

from trialscout.vocab import labs


def test_a_number_is_read_in_the_one_unit_whose_range_holds_it():
    assert labs.bare_unit("platelets", 150) == "10^9/L"
    assert labs.bare_unit("platelets", 150_000) == "/uL"
    assert labs.bare_unit("platelets", 2_000) is None  # between the ranges: not guessed
    assert labs.bare_unit("hbv_dna", 2_000) is None  # no unitless reading at all
    assert labs.bare_unit("no such analyte", 1) is None


def test_overlapping_ranges_are_refused_on_load():
    with pytest.raises(ValueError, match="overlap"):
        labs._bare([{"unit": "g/dL", "from": 3, "to": 25}, {"unit": "g/L", "from": 20, "to": 250}])
