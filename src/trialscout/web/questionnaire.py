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

from trialscout import plain
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


def _number(raw: str | None) -> float | None:
    try:
        return float(str(raw).replace(",", ".").strip()) if raw not in (None, "") else None
    except ValueError:
        return None


def profile_from_answers(questions: list[Question], answers: dict[str, str]) -> dict[str, Any]:
    """Contract 2 from the answers given; anything unanswered stays absent (unknown)."""
    profile: dict[str, Any] = {}
    for q in questions:
        raw = (answers.get(q.key) or "").strip()
        if not raw:
            continue
        if q.key == "age" and (age := _number(raw)) is not None:
            profile["age"] = age
        elif q.key == "sex" and raw in q.options:
            profile["sex"] = raw
        elif q.key.startswith("lab:") and (value := _number(raw)) is not None:
            unit = f" {q.unit}" if q.unit else ""
            profile.setdefault("labs", {})[q.key[4:]] = f"{value:g}{unit}"
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
