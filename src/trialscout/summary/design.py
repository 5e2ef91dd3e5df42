"""Design facts (randomized? open label? one group?) with the field each came from.

Structured fields win; when they are empty (records rebuilt from web pages often are), a clear
phrase in the brief summary is used instead and the sentence cites `brief_summary`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialscout.registry.model import Trial


@dataclass(frozen=True, slots=True)
class Fact:
    value: bool
    source: str


@dataclass(frozen=True, slots=True)
class DesignFacts:
    observational: Fact | None = None
    randomized: Fact | None = None
    open_label: Fact | None = None
    single_group: Fact | None = None
    placebo: Fact | None = None


_TEXT_PATTERNS = {
    "non_randomized": re.compile(r"\bnon[- ]?randomi[sz]ed\b", re.I),
    "randomized": re.compile(r"(?<!non-)(?<!non )(?<!non)\brandomi[sz]ed\b", re.I),
    "open_label": re.compile(r"\bopen[- ]label\b", re.I),
    "blinded": re.compile(r"\b(?:single|double|triple|quadruple)[- ]blind(?:ed)?\b", re.I),
    "single_arm": re.compile(r"\bsingle[- ]arm\b", re.I),
    "placebo": re.compile(r"\bplacebo\b", re.I),
}


def _from_text(text: str | None, field_name: str) -> dict[str, Fact]:
    facts: dict[str, Fact] = {}
    if not text:
        return facts
    if _TEXT_PATTERNS["non_randomized"].search(text):
        facts["randomized"] = Fact(False, field_name)
    elif _TEXT_PATTERNS["randomized"].search(text):
        facts["randomized"] = Fact(True, field_name)
    if _TEXT_PATTERNS["open_label"].search(text):
        facts["open_label"] = Fact(True, field_name)
    elif _TEXT_PATTERNS["blinded"].search(text):
        facts["open_label"] = Fact(False, field_name)
    if _TEXT_PATTERNS["single_arm"].search(text):
        facts["single_group"] = Fact(True, field_name)
    return facts


def design_facts(trial: Trial) -> DesignFacts:
    d = trial.design
    text = _from_text(trial.brief_summary, "brief_summary")
    observational = None
    if trial.study_type:
        observational = Fact(trial.study_type.upper() == "OBSERVATIONAL", "study_type")
    randomized = text.get("randomized")
    if d.allocation in ("RANDOMIZED", "NON_RANDOMIZED"):
        randomized = Fact(d.allocation == "RANDOMIZED", "design.allocation")
    open_label = text.get("open_label")
    if d.masking:
        open_label = Fact(d.masking == "NONE", "design.masking")
    single = text.get("single_group")
    if d.model:
        single = Fact(d.model == "SINGLE_GROUP", "design.model")
    elif len(trial.arms) == 1 and not observational_value(observational):
        single = Fact(True, "arms")
    placebo = None
    for i, arm in enumerate(trial.arms):
        if arm.type == "PLACEBO_COMPARATOR":
            placebo = Fact(True, f"arms[{i}].type")
            break
    return DesignFacts(observational, randomized, open_label, single, placebo)


def observational_value(fact: Fact | None) -> bool:
    return bool(fact and fact.value)
