"""Wrong rules found downstream (by the matcher), kept as explicit cases: `other` beats wrong."""

from __future__ import annotations

import pytest

from trialscout.criteria import parse_criteria


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        # An exclusion that asks for a test is a procedure: read as "not pregnant" it would
        # exclude every patient who is not pregnant.
        (
            "Exclusion Criteria:\n* Women of child-bearing potential without a negative pregnancy test",
            [],  # only an `other` rule: unknown, never "not pregnant"
        ),
        (
            "Inclusion Criteria:\n* Negative serum pregnancy test within 7 days",
            [{"type": "condition", "name": "pregnancy", "present": False}],
        ),
        (
            "Exclusion Criteria:\n* Pregnant women; women of childbearing potential must have a negative pregnancy test",
            [{"type": "condition", "name": "pregnancy", "present": True}],
        ),
    ],
)
def test_pregnancy_tests(text, rules):
    """The test requirement in an exclusion is a note outside the logic (never 'pregnancy
    absent', which excluded every non-pregnant patient)."""
    (criterion,) = parse_criteria(text)["criteria"]
    computable = [r for r in criterion["rules"] if r["type"] != "other"]
    assert [{k: v for k, v in r.items() if k != "codes"} for r in computable] == rules
    assert criterion["logic"] in ("all", "any", {"all": [0]}, {"any": [0]})


@pytest.mark.parametrize(
    ("text", "names", "others"),
    [
        # A comma ends a noun phrase: the word before it does not modify the generic concept
        # after it (the guard once read 'failure, renal insufficiency' as one unknown disease
        # and cut its text one letter short).
        (
            "heart failure, renal or liver insufficiency",
            {"heart failure", "renal failure", "liver disease"},
            set(),
        ),
        ("Infection with syphilis, hepatitis, or HIV", {"hepatitis", "hiv infection"}, set()),
        # A word right before it still makes an unknown specific disease of a generic one.
        ("pancreatic neuroendocrine carcinoma", set(), {"pancreatic"}),
        ("anti-cancer agents", set(), {"anti-cancer"}),
    ],
)
def test_generic_concepts_in_lists(text, names, others):
    (criterion,) = parse_criteria("Exclusion Criteria:\n- " + text)["criteria"]
    found = {r["name"] for r in criterion["rules"] if r["type"] == "condition"}
    assert names <= found
    assert "cancer" not in found or "cancer" in names
    texts = {r["text"] for r in criterion["rules"] if r["type"] == "other"}
    assert others <= texts
    assert all(t == t.strip() and not t.startswith(("ailure", "yphilis")) for t in texts)


@pytest.mark.parametrize(
    "text",
    [
        "Known or suspected sickle cell disease",
        "Suspected or known sickle cell disease",
        "Sickle cell disease, documented or suspected",
    ],
)
def test_certainty_words_do_not_narrow_a_condition(text):
    """'suspected or known X' holds when X does and fails when there is no X at all: an
    unknown 'suspected' leaf beside X made every patient with X unknown."""
    (criterion,) = parse_criteria("Exclusion Criteria:\n- " + text)["criteria"]
    assert [r["name"] for r in criterion["rules"]] == ["sickle cell disease"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hematocrit is < 25", ("hematocrit", "<", 25, "%")),
        ("Platelet count > 100,000", ("platelets", ">", 100, "10^9/L")),
        ("platelets < 100", ("platelets", "<", 100, "10^9/L")),
        ("ANC < 1500", ("neutrophils", "<", 1.5, "10^9/L")),
        ("Hemoglobin < 9", ("hemoglobin", "<", 90, "g/L")),
        # a number no unit can explain, or a lab with no unitless reading: not computable
        ("Hemoglobin < 2", None),
        ("HCV RNA > 1000", None),
        ("AST > 2.5", None),
    ],
)
def test_lab_numbers_written_without_a_unit(text, expected):
    """A unitless number is read only where one unit alone can explain it (vocab labs.yaml)."""
    (criterion,) = parse_criteria("Exclusion Criteria:\n- " + text)["criteria"]
    labs = [r for r in criterion["rules"] if r["type"] == "lab"]
    if expected is None:
        assert labs == []
    else:
        assert [(r["analyte"], r["op"], r["value"], r["unit"]) for r in labs] == [expected]


def test_recent_with_a_stated_window_is_that_window():
    """'recent MI within 3 months' is MI in the last 91 days; 'recent MI' alone stays unknown."""
    (windowed,) = parse_criteria("Exclusion Criteria:\n- Recent MI within 3 months")["criteria"]
    assert [(r["name"], r["within_days"]) for r in windowed["rules"]] == [
        ("myocardial infarction", 91)
    ]
    (bare,) = parse_criteria("Exclusion Criteria:\n- Recent MI")["criteria"]
    assert {r["type"] for r in bare["rules"]} == {"condition", "other"}


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # words only before measurements in parentheses: the measurements define them
        (
            "Adequate hepatic function (total bilirubin <= 1.5 x ULN, ALT <= 3 x ULN)",
            ["lab", "lab"],
        ),
        ("Impaired renal function (creatinine clearance < 20 mL/min).", ["lab"]),
        # a condition before them stays: its absence from a record decides an exclusion
        (
            "Severe renal impairment (creatinine clearance < 30 mL/min)",
            ["condition", "lab", "other"],
        ),
        ("Hepatocellular carcinoma (BCLC stage B or C)", ["condition", "score"]),
        # not every rule inside is a measurement: both parts stay
        ("Prior sorafenib (at least 400 mg daily)", ["therapy", "other"]),
    ],
)
def test_measurements_in_parentheses_define_the_words_before(text, kinds):
    (criterion,) = parse_criteria("Inclusion Criteria:\n- " + text)["criteria"]
    assert sorted(r["type"] for r in criterion["rules"]) == sorted(kinds)


@pytest.mark.parametrize(
    ("kind", "text", "logic"),
    [
        # above a pair: either number above; below a pair: both below
        ("exclusion", "Blood pressure greater than 160/95", "any"),
        ("inclusion", "Blood pressure < 140/90 mmHg", "all"),
    ],
)
def test_blood_pressure_pairs(kind, text, logic):
    (criterion,) = parse_criteria(f"{kind.title()} Criteria:\n- {text}")["criteria"]
    assert sorted(r["analyte"] for r in criterion["rules"]) == ["diastolic_bp", "systolic_bp"]
    assert all(r["unit"] == "mmHg" for r in criterion["rules"])
    assert criterion["logic"] == logic


def test_hypertension_defined_by_a_pressure_pair_keeps_the_condition():
    text = "Exclusion Criteria:\n- Uncontrolled hypertension (>150/100 mmHg)"
    (criterion,) = parse_criteria(text)["criteria"]
    names = {r.get("name") or r.get("analyte") for r in criterion["rules"]}
    assert {"hypertension", "systolic_bp", "diastolic_bp"} <= names


@pytest.mark.parametrize(
    "text",
    [
        # a permission sets no requirement
        "Patients with other malignancies declining standard allografts may be approved for transplant",
        # 'would include' lists examples of a group, not requirements all at once
        "Patients may be included if they have a neurological disorder. These disorders would "
        "include patients with Parkinson's disease, Alzheimer's disease and multiple system atrophy.",
    ],
)
def test_permissions_and_example_lists_set_no_rule(text):
    (criterion,) = parse_criteria("Inclusion Criteria:\n- " + text)["criteria"]
    assert {r["type"] for r in criterion["rules"]} == {"other"}


def test_life_expectancy_in_hours():
    (criterion,) = parse_criteria("Exclusion Criteria:\n- Life expectancy < 72 hours")["criteria"]
    (rule,) = criterion["rules"]
    assert (rule["type"], rule["op"], rule["unit"]) == ("life_expectancy", "<", "months")
    assert rule["value"] == pytest.approx(72 / 24 / 365.25 * 12, abs=0.01)
