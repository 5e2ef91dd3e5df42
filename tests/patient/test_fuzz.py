"""Readers never crash on arbitrary input: a Patient or a PatientError, nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trialscout.match.rules import PatientView, evaluate_rule
from trialscout.patient import PatientError, note_to_patient, profile_from_dict

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
keys = st.sampled_from(
    [
        "age",
        "sex",
        "conditions",
        "labs",
        "scores",
        "therapies",
        "location",
        "pregnant",
        "absent_conditions",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, values, max_size=5))
def test_profile_reader_total(data):
    try:
        profile_from_dict(data, "fuzz.yaml")
    except PatientError as exc:
        assert str(exc).startswith("fuzz.yaml")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_note_reader_and_rules_total(text):
    patient = note_to_patient(text or " ")
    view = PatientView(patient)
    for rule in (
        {"type": "condition", "name": "diabetes"},
        {"type": "lab", "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"},
        {"type": "score", "system": "ecog", "allowed": [0, 1]},
    ):
        assert evaluate_rule(rule, view).holds in (True, False, None)
