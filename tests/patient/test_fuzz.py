"""Fuzz tier (issue 12): every patient reader, on arbitrary files, returns a Patient or raises
one PatientError line naming the file, within a time bound. Bounded for CI (~300 cases)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialscout.patient import Patient, PatientError, load_patient

LIMIT_S = 1.0
FIELDS = [
    "age",
    "sex",
    "conditions",
    "absent_conditions",
    "labs",
    "scores",
    "therapies",
    "location",
    "pregnant",
    "complete_history",
    "life_expectancy_months",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(["negative", "150 10^9/L", "<20 IU/mL", "1.2 xULN", "2026-05-01", "hcc"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["name", "codes", "date", "value", "unit", "x"]), inner)
    ),
    max_leaves=12,
)
profiles = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)
resources = st.fixed_dictionaries(
    {
        "resourceType": st.sampled_from(
            ["Patient", "Condition", "Observation", "MedicationStatement", "Procedure", "Other"]
        )
    },
    optional={
        "code": values,
        "status": st.sampled_from(["final", "completed", "active", "x"]),
        "valueQuantity": values,
        "valueString": st.text(max_size=40),
        "clinicalStatus": values,
        "gender": scalars,
        "birthDate": scalars,
        "subject": st.just({"reference": "Patient/1"}),
    },
)
bundles = st.fixed_dictionaries(
    {"resourceType": st.just("Bundle"), "entry": st.lists(st.builds(dict, resource=resources))}
)
note_words = st.sampled_from(
    [
        "no",
        "denies",
        "history",
        "of",
        "HCC",
        "HBeAg",
        "negative",
        "HBV DNA",
        "<",
        "20",
        "IU/mL",
        "mother",
        "ECOG",
        "1",
        "lives",
        "near",
        "Hangzhou",
        ",",
        ".",
        "\n",
        "  ",
        "x10^9/L",
        "(-)",
    ]
)
notes = st.lists(note_words | st.text(max_size=8), max_size=200).map(" ".join)


def check(path: Path, content: str) -> None:
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    start = time.perf_counter()
    try:
        assert isinstance(load_patient(path), Patient)
    except PatientError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message
    assert time.perf_counter() - start < LIMIT_S


# TRIALSCOUT_FUZZ_EXAMPLES raises the count for a long local run (CI keeps 100 per reader).
SETTINGS = settings(
    max_examples=int(os.environ.get("TRIALSCOUT_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(data=profiles, as_yaml=st.booleans())
def test_profile_files(tmp_path, data, as_yaml):
    if as_yaml:
        check(tmp_path / "p.yaml", yaml.safe_dump(data))
    else:
        check(tmp_path / "p.json", json.dumps(data, allow_nan=True))


@SETTINGS
@given(data=bundles)
def test_fhir_files(tmp_path, data):
    check(tmp_path / "b.json", json.dumps(data))


@SETTINGS
@given(text=notes | st.text(max_size=400))
def test_note_files(tmp_path, text):
    check(tmp_path / "n.txt", text.encode("utf-8", "replace").decode("utf-8"))


@SETTINGS
@given(text=st.text(max_size=300))
def test_arbitrary_yaml_text(tmp_path, text):
    check(tmp_path / "p.yaml", text.encode("utf-8", "replace").decode("utf-8"))
