"""A note's lab numbers written without a unit are read only where one unit can explain them."""

from __future__ import annotations

from trialscout.patient.note import note_to_patient


def test_unitless_counts_in_a_note_are_read_by_range():
    labs = note_to_patient("Labs: platelets 150,000, WBC 12,000, HBV DNA 2000.").labs
    assert (labs["platelets"].value, labs["platelets"].unit) == (150.0, "10^9/L")
    assert (labs["wbc"].value, labs["wbc"].unit) == (12.0, "10^9/L")
    assert "hbv_dna" not in labs  # copies or IU: no unitless reading
