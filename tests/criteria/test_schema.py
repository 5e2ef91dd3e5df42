"""The JSON Schema of contract 1: valid documents pass, violations name their path."""

from __future__ import annotations

import copy

import pytest

from trialscout.criteria import criteria_schema, validate_criteria

GOOD = {
    "nct_id": "NCT04163237",
    "criteria": [
        {
            "kind": "inclusion",
            "text": "Platelets >= 50 x 10^9/L",
            "rules": [
                {"type": "lab", "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"}
            ],
        },
        {
            "kind": "exclusion",
            "text": "Preoperative TACE or radiotherapy",
            "logic": "any",
            "rules": [
                {"type": "therapy", "name": "transarterial chemoembolization", "present": True},
                {"type": "therapy", "name": "radiotherapy", "present": True, "within_days": 28},
            ],
        },
        {
            "kind": "inclusion",
            "text": "ECOG 0-1",
            "rules": [{"type": "score", "system": "ecog", "allowed": [0, 1]}],
        },
        {"kind": "inclusion", "text": "consent", "rules": [{"type": "other", "text": "consent"}]},
    ],
}


def test_schema_is_shipped_and_good_document_validates():
    assert criteria_schema()["title"].startswith("trialscout")
    validate_criteria(GOOD)
    validate_criteria({"nct_id": None, "criteria": []})


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["criteria"][0]["rules"][0].update(op="≥"), r"\$.criteria\[0\].rules\[0\]"),
        (lambda d: d["criteria"][0]["rules"][0].pop("unit"), r"\$.criteria\[0\].rules\[0\]"),
        (lambda d: d["criteria"][1].update(kind="maybe"), r"\$.criteria\[1\].kind"),
        (lambda d: d["criteria"][1].update(logic="some"), r"\$.criteria\[1\].logic"),
        (lambda d: d["criteria"][2]["rules"][0].pop("allowed"), r"\$.criteria\[2\].rules\[0\]"),
        (lambda d: d["criteria"][3].update(rules=[]), r"\$.criteria\[3\].rules"),
        (lambda d: d.update(extra=1), r"\$"),
        (lambda d: d.pop("nct_id"), r"\$"),
    ],
)
def test_violations_raise_value_error_naming_the_path(mutate, path):
    doc = copy.deepcopy(GOOD)
    mutate(doc)
    with pytest.raises(ValueError, match=path):
        validate_criteria(doc)
