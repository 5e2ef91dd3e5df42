"""'Check my eligibility': questions from parsed criteria, answers -> per-criterion verdicts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trialscout.web import questionnaire as qn

from .conftest import csrf_of

DESIGN_EXAMPLE = json.loads(
    (Path(__file__).parents[1] / "data" / "contracts" / "criteria_design_example.json").read_text()
)

# Contract 1 example from DESIGN.md, plus an uncomputable criterion.
CRITERIA = {
    "nct_id": "NCT04163237",
    "criteria": [
        *DESIGN_EXAMPLE["criteria"],
        {"kind": "inclusion", "text": "Willing to give tissue samples", "rules": [
            {"type": "other", "text": "Willing to give tissue samples"}]},
    ],
}  # fmt: skip


def test_questions_one_per_fact():
    questions = qn.build_questions(CRITERIA)
    keys = [q.key for q in questions]
    assert keys == [
        "lab:platelets",
        "lab:ast",
        "lab:alt",
        "therapy:transarterial chemoembolization",
        "therapy:radiotherapy",
        "criterion:3",
    ]
    assert questions[1].label.startswith("Your latest AST") and questions[1].unit == "xULN"


def test_answers_become_contract_2_profile():
    questions = qn.build_questions(CRITERIA)
    answers = {"lab:platelets": "40", "lab:ast": "1,2", "therapy:radiotherapy": "no",
               "therapy:transarterial chemoembolization": "yes", "criterion:3": "yes"}  # fmt: skip
    assert qn.profile_from_answers(questions, answers) == {
        "labs": {"platelets": "40 10^9/L", "ast": "1.2 xULN"},
        "therapies": [{"name": "transarterial chemoembolization"}],
        "absent_therapies": ["radiotherapy"],
    }


def test_unanswered_stays_unknown():
    assert qn.profile_from_answers(qn.build_questions(CRITERIA), {"lab:alt": ""}) == {}


@pytest.mark.parametrize(
    ("answers", "verdicts", "overall"),
    [
        ({}, ["unknown"] * 4, "possibly_eligible"),
        ({"criterion:3": "yes"}, ["unknown", "unknown", "unknown", "met"], "possibly_eligible"),
        ({"criterion:3": "no"}, ["unknown", "unknown", "unknown", "not_met"], "not_eligible"),
        (
            {"therapy:radiotherapy": "yes", "therapy:transarterial chemoembolization": "no"},
            ["unknown", "unknown", "met", "unknown"],
            "not_eligible",
        ),
    ],
)
def test_direct_answers_decide_unknowns_without_matcher(answers, verdicts, overall):
    result = qn.combine(CRITERIA, None, answers)
    assert [c["verdict"] for c in result["criteria"]] == verdicts
    assert result["verdict"] == overall


def test_matcher_verdicts_kept():
    matched = {"criteria": [
        {"kind": "inclusion", "text": "Age 18-75 (registry)", "verdict": "met", "reason": "52"},
        {"kind": "inclusion", "text": "Platelets >= 50 x 10^9/L", "verdict": "not_met",
         "reason": "platelets 40 < 50"},
        {"kind": "inclusion", "text": "Willing to give tissue samples", "verdict": "unknown",
         "reason": "not computable"}]}  # fmt: skip
    result = qn.combine(CRITERIA, matched, {"criterion:3": "yes"})
    assert [c["verdict"] for c in result["criteria"]] == ["met", "not_met", "met"]
    assert result["criteria"][2]["reason"] == "you answered yes"
    assert result["verdict"] == "not_eligible"


def test_labels_file_is_valid():
    assert qn.labels()["scores"]["ecog"].startswith("ECOG")


def test_questionnaire_page_and_verdict(client):
    page = client.get("/trials/NCT04163237/eligibility")
    assert page.status_code == 200
    assert "Your latest platelets" in page.text and "Your age" in page.text
    token = csrf_of(client, "/trials/NCT04163237/eligibility")
    answers = {"csrf_token": token, "age": "52", "lab:platelets": "40"}
    result = client.post("/trials/NCT04163237/eligibility", data=answers)
    assert result.status_code == 200
    assert 'id="verdict"' in result.text and "verdict-not_eligible" in result.text
    assert re.search(r"Not met</span> Platelets", result.text)
    assert "platelets 40" in result.text  # the matcher's reason


def test_eligibility_answers_are_not_stored(client, app):
    before = "\n".join(app.state.db.conn.iterdump())
    token = csrf_of(client, "/trials/NCT04163237/eligibility")
    client.post("/trials/NCT04163237/eligibility", data={"csrf_token": token, "age": "61"})
    after = "\n".join(app.state.db.conn.iterdump())
    assert before.count("61") == after.count("61")
