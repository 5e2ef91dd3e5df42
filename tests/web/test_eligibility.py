"""'Check my eligibility': questions from parsed criteria, answers -> patient facts -> matcher."""

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
    ]  # the uncomputable criterion is not asked: no answer to it is a patient fact
    assert questions[1].label.startswith("Your latest AST") and questions[1].unit == "xULN"


def test_answers_become_contract_2_profile():
    questions = qn.build_questions(CRITERIA)
    answers = {"lab:platelets": "40", "lab:ast": "1,2", "therapy:radiotherapy": "no",
               "therapy:transarterial chemoembolization": "yes"}  # fmt: skip
    assert qn.profile_from_answers(questions, answers) == {
        "labs": {"platelets": "40 10^9/L", "ast": "1.2 xULN"},
        "therapies": [{"name": "transarterial chemoembolization"}],
        "absent_therapies": ["radiotherapy"],
    }


def test_unanswered_stays_unknown():
    assert qn.profile_from_answers(qn.build_questions(CRITERIA), {"lab:alt": ""}) == {}


def test_answers_become_a_patient():
    questions = qn.build_questions(CRITERIA)
    patient = qn.patient_from_answers(
        questions, {"lab:platelets": "40", "therapy:radiotherapy": "no"}
    )
    assert patient.labs["platelets"].value == 40 and not patient.complete_history
    assert [(t.name, t.present) for t in patient.therapies] == [("radiotherapy", False)]


def test_questionnaire_has_no_evaluator_of_its_own():
    assert not any(hasattr(qn, name) for name in ("combine", "overall", "_direct"))


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
    deciding = result.text.index('id="rules-out"')
    assert deciding < result.text.index('id="still-unknown"')  # answer first
    assert re.search(r"only for people who meet this: Platelets", result.text)
    assert "platelets 40 ×10⁹/L" in result.text  # the matcher's reason, in plain units
    tissue = client.post("/trials/NCT04163237/eligibility", data={"csrf_token": token})
    assert "verdict-possibly_eligible" in tissue.text  # nothing answered: nothing ruled out


def test_empty_questionnaire_says_how_much_is_unknown(client):
    token = csrf_of(client, "/trials/ZJCH-HAIC-2024/eligibility")
    page = client.post("/trials/ZJCH-HAIC-2024/eligibility", data={"csrf_token": token})
    assert "You may be eligible" not in page.text
    headline = re.search(
        r"<h2>(Not decided yet: \d+ of \d+ criteria are still unknown)</h2>", page.text
    )
    assert headline, "the headline counts the unknown criteria"
    # the first question links to its field in the form, and settles the most
    first = re.search(r'<ol class="asks">\s*<li><a href="#(q-[a-z0-9-]+)">', page.text)
    assert first and f'id="{first.group(1)}"' in page.text
    settles = [int(n) for n in re.findall(r"\(settles (\d+) criteri", page.text)]
    assert settles == sorted(settles, reverse=True)


def test_result_shows_no_internal_names_or_raw_units(client):
    token = csrf_of(client, "/trials/ZJCH-HAIC-2024/eligibility")
    page = client.post(
        "/trials/ZJCH-HAIC-2024/eligibility",
        data={"csrf_token": token, "lab:hbv_dna": "5000 copies/mL", "lab:platelets": "40"},
    )
    shown = re.sub(r"<[^>]+>", " ", page.text.split('id="verdict"')[1].split("<form")[0])
    assert not re.search(r"\b(icg_r15|hbv_dna|xULN)\b|10\^9", shown), shown
    assert "HBV DNA" in shown
    assert "The trial's rule: HBV DNA above 2,000 copies/mL." in shown  # as the trial wrote it
    assert "HBV DNA 859.1 IU/mL is above 343.6 IU/mL" in shown  # why, in words


def test_refused_answer_is_a_message_next_to_its_field(client):
    token = csrf_of(client, "/trials/NCT04163237/eligibility")
    page = client.post("/trials/NCT04163237/eligibility", data={"csrf_token": token, "age": "-3"})
    assert page.status_code == 400 and 'id="verdict"' not in page.text
    field = page.text.split('id="q-age"')[1].split("</fieldset>")[0]
    assert "cannot be negative" in field and "autofocus" in field and 'aria-invalid="true"' in field


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("120,000 /µL", "120 10^9/L"),
        ("120 x10^9/L", "120 10^9/L"),
        ("120 K/uL", "120 10^9/L"),
        ("40", "40 10^9/L"),
    ],
)
def test_lab_answers_with_units_are_converted(raw, stored):
    questions = qn.build_questions(CRITERIA)
    assert qn.profile_from_answers(questions, {"lab:platelets": raw})["labs"] == {
        "platelets": stored
    }


def test_hemoglobin_in_g_per_dl():
    q = qn.Question("lab:hemoglobin", "number", "Your latest hemoglobin", "g/L")
    assert qn.read_answer(q, "13 g/dL") == ("130 g/L", None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [("abc", "Please enter a number"), ("-5", "cannot be negative"),
     ("12 bananas", "not understood")],
)  # fmt: skip
def test_impossible_lab_answers_are_refused(raw, message):
    questions = qn.build_questions(CRITERIA)
    errors = qn.check_answers(questions, {"lab:platelets": raw})
    assert message in errors["lab:platelets"]
    assert "labs" not in qn.profile_from_answers(questions, {"lab:platelets": raw})


def test_eligibility_answers_are_not_stored(client, app):
    before = "\n".join(app.state.db.conn.iterdump())
    token = csrf_of(client, "/trials/NCT04163237/eligibility")
    client.post("/trials/NCT04163237/eligibility", data={"csrf_token": token, "age": "61"})
    after = "\n".join(app.state.db.conn.iterdump())
    assert before.count("61") == after.count("61")


def test_questions_for_the_doctor_sheet(client):
    page = client.get("/trials/ZJCH-HAIC-2024/questions")
    assert page.status_code == 200
    items = re.findall(r'<ol class="doctor-questions">(.*?)</ol>', page.text, re.S)[0]
    questions = re.findall(r"<li>([^<]+?) <span", items)
    assert questions and all(" you " not in q and not q.startswith("How old") for q in questions)
    assert any(q.startswith(("Have I been", "Do I have", "What was my", "What is my"))
               for q in questions)  # fmt: skip
    counts = [int(n) for n in re.findall(r"\((\d+) criteri", items)]
    assert counts == sorted(counts, reverse=True)
    assert "To ask the study team" in page.text
    assert not re.search(r"\b(icg_r15|hbv_dna)\b|10\^9", page.text)
