"""Fixtures for match tests: hand-written contract-1 criteria and small real patients."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from trialscout.match.view import PatientView
from trialscout.patient import profile_from_dict

DATA = Path(__file__).parent.parent / "data"
TODAY = date(2026, 11, 22)


@pytest.fixture
def criteria_003() -> dict:
    return json.loads((DATA / "match" / "NCT04163237_criteria.json").read_text())


@pytest.fixture
def hcc_patient_dict() -> dict:
    return {
        "age": 52,
        "sex": "male",
        "conditions": ["hepatocellular carcinoma", "chronic hepatitis B"],
        "absent_conditions": ["autoimmune disease"],
        "scores": {"bclc": "A", "child_pugh": "A", "ecog": 0},
        "labs": {
            "platelets": "150 10^9/L",
            "hemoglobin": "12.8 g/dL",
            "neutrophils": "2100 /uL",
            "alt": {"value": "48 U/L", "ref_high": 40},
            "ast": "1.1 xULN",
        },
        "therapies": [{"name": "hepatectomy", "date": "2026-05-01"}, {"name": "tenofovir"}],
    }


@pytest.fixture
def make_view():
    """Profile dict -> PatientView evaluated on a fixed day."""

    def build(data: dict) -> PatientView:
        return PatientView(profile_from_dict(data, "test"), TODAY)

    return build
