"""The plain-language summary as the trial page shows it: three opening sentences (who it is
for, what is compared, for how long), then the summary stage's sections without empty ones,
without the "N more rules" cut (the page lists every criterion, grouped) and without a "lists
no side effects for X" that another sentence contradicts. Sources stay, in plain words, for a
"where does this come from" toggle.
"""

from __future__ import annotations

import re
from typing import Any

from trialscout import vocab
from trialscout.registry.model import Trial

_NO_EFFECTS = re.compile(r"^This summary lists no side effects for (.+?)\.?$")
_MORE_RULES = re.compile(r"^There are \d+ more rules")


def _age(text: str | None) -> str | None:
    if not text:
        return None
    m = re.match(r"\s*(\d+)\s*(year|month|week|day)", text, re.I)
    if not m:
        return text
    unit = m.group(2).lower()
    return m.group(1) if unit == "year" else f"{m.group(1)} {unit}s"


def _who_word(trial: Trial) -> str:
    sex = (trial.eligibility.sex or "").upper()
    return {"FEMALE": "women", "MALE": "men"}.get(sex, "people")


def _conditions(trial: Trial, parsed: dict[str, Any] | None) -> list[str]:
    if trial.conditions:
        return trial.conditions[:3]
    for c in (parsed or {}).get("criteria", []):
        if c.get("kind") != "inclusion":
            continue
        for r in c.get("rules") or []:
            if r.get("type") == "condition" and r.get("present", True) and r.get("name"):
                return [r["name"]]
    return []


def _joined(items: list[str], word: str = "or") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} {items[-1]}"


def who_sentence(trial: Trial, parsed: dict[str, Any] | None) -> str:
    low, high = _age(trial.eligibility.minimum_age), _age(trial.eligibility.maximum_age)
    ages = ""
    if low and high:
        ages = f" aged {low} to {high}"
    elif low:
        ages = f" aged {low} or older"
    elif high:
        ages = f" aged up to {high}"
    conditions = _conditions(trial, parsed)
    with_what = f"; condition studied: {'; '.join(conditions)}" if conditions else ""
    if trial.eligibility.healthy_volunteers and not conditions:
        with_what = ", healthy volunteers included"
    return f"Who it is for: {_who_word(trial)}{ages}{with_what}."


def what_sentence(trial: Trial) -> str | None:
    arms = [a.label for a in trial.arms if a.label]
    if (trial.study_type or "").upper() == "OBSERVATIONAL":
        groups = f" ({_joined(arms, 'and')})" if arms else ""
        return f"What it does: it follows groups of people{groups}; the study assigns no treatment."
    if len(arms) >= 2:
        others = f" (and {len(arms) - 2} more groups)" if len(arms) > 2 else ""
        return f"What is compared: {arms[0]} with {arms[1]}{others}."
    names = [i.name for i in trial.interventions if i.name]
    if names:
        return f"What is tested: {_joined(names, 'and')}."
    return None


def how_long_sentence(trial: Trial) -> str:
    frames = [o.time_frame for o in trial.outcomes if o.kind == "primary" and o.time_frame]
    if frames:
        return f"For how long: the main result is measured {frames[0].rstrip('.')}."
    if trial.start_date and trial.completion_date:
        return f"For how long: the study runs from {trial.start_date} to {trial.completion_date}."
    if trial.start_date:
        return f"For how long: not stated (the study started {trial.start_date})."
    return "For how long: not stated in the record."


def lead(trial: Trial, parsed: dict[str, Any] | None) -> list[str]:
    """Three sentences that say what seed 000 says first."""
    what = what_sentence(trial)
    return [who_sentence(trial, parsed), *([what] if what else []), how_long_sentence(trial)]


def _contradicted(name: str, sentences: list[dict[str, Any]]) -> bool:
    """'no side effects for antiviral drugs' next to a tenofovir side effect."""
    for s in sentences:
        source = str(s.get("source") or "")
        if not source.startswith("glossary:"):
            continue
        term = source.removeprefix("glossary:")
        if term.lower() == name.lower():
            return True
        try:
            if vocab.is_a(term, name, "therapy"):
                return True
        except (KeyError, ValueError):
            continue
    return False


def sections(summary: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The summary's sections as shown: empty ones dropped, no cut, no contradiction."""
    out = []
    for section in (summary or {}).get("sections", []):
        kept = []
        sentences = section.get("sentences") or []
        for s in sentences:
            text = str(s.get("text", ""))
            if _MORE_RULES.match(text):
                continue
            m = _NO_EFFECTS.match(text)
            if m and _contradicted(m.group(1), sentences):
                continue
            kept.append(s)
        if kept:
            out.append({"title": section.get("title", ""), "sentences": kept})
    return out


def source_label(source: str | None) -> str:
    """'criteria[1].rules[0]' -> 'eligibility criterion 2 in the registry record'."""
    if not source:
        return "trialscout"
    if source.startswith("glossary:"):
        return f"trialscout's plain-language glossary ({source.removeprefix('glossary:')})"
    labels = []
    for part in source.split(","):
        part = part.strip()
        m = re.match(r"(\w+)\[(\d+)\]", part)
        if m:
            name = {"criteria": "criterion"}.get(m.group(1), m.group(1).rstrip("s"))
            labels.append(f"{name.replace('_', ' ')} {int(m.group(2)) + 1}")
        else:
            labels.append(part.split(".")[-1].replace("_", " "))
    return "the registry record: " + ", ".join(dict.fromkeys(labels))
