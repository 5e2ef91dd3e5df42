"""'Check my eligibility': questions generated from a trial's parsed criteria (contract 1), and
the visitor's answers turned into a contract-2 profile for the match stage.

Yes/no answers on conditions and therapies go into the profile (`absent_conditions` /
`absent_therapies` say "no"). Criteria the parser could not compute ("other" rules) are asked
as they are written; when the matcher leaves such a criterion unknown, the visitor's own
yes/no decides it and the reason says so. Nothing is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

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
    for section in ("scores", "analytes", "questions"):
        table = raw.get(section)
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ValueError(f"labels.json: section {section!r} must map strings to strings")
    unknown = set(raw) - {"scores", "analytes", "questions"}
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
        name = labels()["analytes"].get(analyte, analyte.replace("_", " "))
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
    if kind == "other":
        return Question(f"criterion:{index}", "yesno", f"Does this apply to you? “{text}”")
    return None  # life expectancy and the like: for the study doctor to judge


def build_questions(criteria: dict[str, Any] | None) -> list[Question]:
    """One question per distinct thing asked, in criteria order."""
    questions: dict[str, Question] = {}
    for index, criterion in enumerate((criteria or {}).get("criteria", [])):
        for rule in criterion.get("rules") or [{"type": "other"}]:
            q = _question_for(rule, index, criterion.get("text", ""))
            if q is None:
                continue
            q = questions.setdefault(q.key, q)
            if index not in q.criteria:
                q.criteria.append(index)
    return list(questions.values())


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


def _direct(
    criterion: dict[str, Any], index: int, answers: dict[str, str]
) -> tuple[bool, str] | None:
    """Does the criterion hold, judged only from yes/no answers? None when it cannot say."""
    rules = criterion.get("rules") or [{"type": "other"}]
    results, said = [], []
    for rule in rules:
        kind = rule.get("type")
        if kind in ("condition", "therapy"):
            answer = answers.get(f"{kind}:{rule.get('name')}")
            holds = (
                None if answer not in (YES, NO) else (answer == YES) == rule.get("present", True)
            )
        elif kind == "other":
            answer = answers.get(f"criterion:{index}")
            holds = None if answer not in (YES, NO) else answer == YES
        else:
            return None
        if holds is None:
            return None
        results.append(holds)
        said.append(answer)
    holds = any(results) if criterion.get("logic") == "any" else all(results)
    return holds, "you answered " + ", ".join(said)


def _verdict(kind: str, holds: bool) -> str:
    return "met" if holds else "not_met"


def overall(criteria_verdicts: list[dict[str, Any]]) -> str:
    """Contract 3's trial verdict from per-criterion verdicts."""
    failed = any(
        (c["kind"] == "inclusion" and c["verdict"] == "not_met")
        or (c["kind"] == "exclusion" and c["verdict"] == "met")
        for c in criteria_verdicts
    )
    if failed:
        return "not_eligible"
    if any(c["verdict"] == "unknown" for c in criteria_verdicts):
        return "possibly_eligible"
    return "eligible"


def combine(
    criteria: dict[str, Any], matched: dict[str, Any] | None, answers: dict[str, str]
) -> dict[str, Any]:
    """Per-criterion verdicts: the matcher's list (contract 3) when there is one, else the parsed
    criteria; a criterion left unknown is decided by the visitor's direct yes/no answers."""
    items = criteria.get("criteria", [])
    index_of = {c.get("text", ""): i for i, c in enumerate(items)}
    base = (matched or {}).get("criteria") or [
        {"kind": c.get("kind"), "text": c.get("text"), "verdict": "unknown", "reason": ""}
        for c in items
    ]
    out = []
    for m in base:
        verdict, reason = m.get("verdict", "unknown"), m.get("reason") or ""
        i = index_of.get(m.get("text", ""))
        if verdict == "unknown" and i is not None:
            direct = _direct(items[i], i, answers)
            if direct is not None:
                verdict, reason = _verdict(m.get("kind", ""), direct[0]), direct[1]
        out.append(
            {"kind": m.get("kind"), "text": m.get("text"), "verdict": verdict, "reason": reason}
        )
    return {"verdict": overall(out), "criteria": out}
