"""'Check my eligibility': questions generated from a trial's parsed criteria (contract 1), and
the visitor's answers turned into patient facts; the matcher (match/) gives every verdict.

Yes/no answers on conditions and therapies become facts (`absent_conditions` /
`absent_therapies` say "no"). Criteria the parser could not compute ("other" rules) are not
asked: no answer to them is a patient fact, so they stay unknown for the study team to judge.
A questionnaire is not a complete history. Nothing is stored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from trialscout import plain, vocab
from trialscout.patient import Patient, profile_from_dict

YES, NO = "yes", "no"
SCORE_CHOICES = {
    "ecog": ["0", "1", "2", "3", "4"],
    "child_pugh": ["A", "B", "C"],
    "bclc": ["0", "A", "B", "C", "D"],
}


@cache
def labels() -> dict[str, dict[str, str]]:
    """labels.json, checked: the three sections, each a mapping of strings."""
    raw = json.loads(resources.files(__package__).joinpath("labels.json").read_text("utf-8"))
    raw.pop("_doc", None)
    for section in ("scores", "questions"):
        table = raw.get(section)
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ValueError(f"labels.json: section {section!r} must map strings to strings")
    unknown = set(raw) - {"scores", "questions"}
    if unknown:
        raise ValueError(f"labels.json: unknown section(s) {sorted(unknown)}")
    return raw


@dataclass(slots=True)
class Question:
    key: str  # form field name; shared by criteria asking the same thing
    kind: str  # number | choice | yesno
    label: str
    unit: str | None = None
    options: list[str] = field(default_factory=list)
    criteria: list[int] = field(default_factory=list)  # criterion indexes it serves

    @property
    def anchor(self) -> str:
        """The field's id: result questions link to it."""
        return "q-" + re.sub(r"[^a-z0-9]+", "-", self.key.lower()).strip("-")

    @property
    def unit_label(self) -> str:
        """The unit as printed on a lab report ('×10⁹/L'), empty for xULN and pure numbers."""
        return "" if self.unit in (None, "xULN") else plain.unit_text(self.unit)


def _question_for(rule: dict[str, Any], index: int, text: str) -> Question | None:
    q = _generated(rule, index, text)
    if q is not None and q.key in labels()["questions"]:
        q.label = labels()["questions"][q.key]
    return q


def _generated(rule: dict[str, Any], index: int, text: str) -> Question | None:
    kind = rule.get("type")
    if kind == "age":
        return Question("age", "number", "Your age", "years")
    if kind == "sex":
        return Question("sex", "choice", "Your sex", options=["female", "male"])
    if kind == "lab":
        analyte, unit = rule.get("analyte", "?"), rule.get("unit")
        name = plain.analyte_name(analyte)
        if unit == "xULN":
            label = f"Your latest {name}, as a multiple of the upper limit of normal (ULN)"
            return Question(f"lab:{analyte}", "number", label, "xULN")
        return Question(f"lab:{analyte}", "number", f"Your latest {name}", unit)
    if kind == "score":
        system = str(rule.get("system", "score"))
        name = labels()["scores"].get(system, system.replace("_", " "))
        options = SCORE_CHOICES.get(system) or [str(v) for v in rule.get("allowed", [])]
        if options:
            return Question(f"score:{system}", "choice", f"Your {name}", options=options)
        return Question(f"score:{system}", "number", f"Your {name}")
    if kind == "condition":
        name = rule.get("name", "?")
        return Question(f"condition:{name}", "yesno", f"Do you have {name}?")
    if kind == "therapy":
        name = rule.get("name", "?")
        return Question(f"therapy:{name}", "yesno", f"Have you had {name}?")
    return None  # "other" text, life expectancy and the like: for the study doctor to judge


def build_questions(criteria: dict[str, Any] | None) -> list[Question]:
    """One question per distinct thing asked; those serving the most criteria first (they
    settle the most), otherwise in criteria order."""
    questions: dict[str, Question] = {}
    for index, criterion in enumerate((criteria or {}).get("criteria", [])):
        group = criterion.get("applies_to") or {}
        rules = [*(criterion.get("rules") or []), *([group] if "type" in group else [])]
        for rule in rules + list(group.get("rules") or []):
            q = _question_for(rule, index, criterion.get("text", ""))
            if q is None:
                continue
            q = questions.setdefault(q.key, q)
            if index not in q.criteria:
                q.criteria.append(index)
    return sorted(questions.values(), key=lambda q: -len(q.criteria))


_ANSWER = re.compile(r"^\s*(?P<op>[<>]=?)?\s*(?P<num>[-+]?\d[\d,]*(?:\.\d+)?)\s*(?P<unit>.*?)\s*$")


def _number(raw: str) -> float | None:
    """'120,000' -> 120000, '1,2' (decimal comma) -> 1.2; None when not a number."""
    text = raw.strip()
    if re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def read_answer(q: Question, raw: str) -> tuple[str | float | None, str | None]:
    """One answer -> (the value the profile takes, None) or (None, a message for the field).
    Lab values may carry their own unit ('13 g/dL', '120,000 /µL', '120 x10^9/L'): converted
    by the vocabulary's one unit layer; impossible values are refused, never ignored."""
    raw = raw.strip()
    if not raw or q.kind != "number":
        return raw or None, None
    m = _ANSWER.match(raw)
    value = _number(m.group("num")) if m else None
    example = f" (for example 13{' ' + q.unit_label if q.unit_label else ''})"
    if value is None:
        return None, f"Please enter a number{example}."
    if value < 0:
        return None, "This cannot be negative."
    if q.key == "age":
        return (
            (value, None)
            if value <= 120 and not m.group("unit")
            else (None, "Please give your age in years (0 to 120).")
        )
    if not q.key.startswith("lab:"):
        return value, None
    return _lab_value(q, m.group("op") or "", value, m.group("unit"))


def _lab_value(q: Question, op: str, value: float, unit: str) -> tuple[str | None, str | None]:
    analyte = q.key[4:]
    if q.unit == "xULN" and unit.lower().replace(" ", "") in ("", "x", "xuln", "×uln"):
        return f"{op}{value:g} xULN", None
    try:
        converted = vocab.to_canonical(analyte, value, unit or q.unit)
    except (ValueError, TypeError):
        shown = q.unit_label or "the unit on your lab report"
        return None, f"Unit {unit!r} not understood here: use {shown}."
    return f"{op}{converted.value:g} {converted.unit}", None


def check_answers(questions: list[Question], answers: dict[str, str]) -> dict[str, str]:
    """Messages per field for answers that cannot be used; empty when all are fine."""
    errors = {}
    for q in questions:
        _value, error = read_answer(q, answers.get(q.key) or "")
        if error:
            errors[q.key] = error
    return errors


def profile_from_answers(questions: list[Question], answers: dict[str, str]) -> dict[str, Any]:
    """Contract 2 from the answers given; anything unanswered or refused stays absent."""
    profile: dict[str, Any] = {}
    for q in questions:
        value, error = read_answer(q, answers.get(q.key) or "")
        if value is None or error:
            continue
        raw = str(value)
        if q.key == "age":
            profile["age"] = value
        elif q.key == "sex" and raw in q.options:
            profile["sex"] = raw
        elif q.key.startswith("lab:"):
            profile.setdefault("labs", {})[q.key[4:]] = raw
        elif q.key.startswith("score:"):
            profile.setdefault("scores", {})[q.key[6:]] = raw
        elif q.key.startswith("condition:") and raw in (YES, NO):
            field_name = "conditions" if raw == YES else "absent_conditions"
            profile.setdefault(field_name, []).append(q.key[10:])
        elif q.key.startswith("therapy:") and raw == YES:
            profile.setdefault("therapies", []).append({"name": q.key[8:]})
        elif q.key.startswith("therapy:") and raw == NO:
            profile.setdefault("absent_therapies", []).append(q.key[8:])
    return profile


def patient_from_answers(questions: list[Question], answers: dict[str, str]) -> Patient:
    """The answers as a Patient, read by the patient stage's profile reader (raises
    PatientError, a ValueError naming the field, on an answer it refuses)."""
    return profile_from_dict(profile_from_answers(questions, answers), "your answers")
