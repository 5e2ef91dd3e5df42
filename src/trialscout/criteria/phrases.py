"""The parser's phrase lists (`data/phrases.yaml`), loaded once and compiled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class Cohort:
    pattern: re.Pattern
    sex: str | None
    other: str | None  # the text of a not-computable membership test
    condition: bool  # "patients with X": membership is having condition X


@dataclass(frozen=True, slots=True)
class Phrases:
    filler: frozenset[str]
    or_words: frozenset[str]
    and_words: frozenset[str]
    explanatory: re.Pattern
    cohorts: tuple[Cohort, ...]
    within: tuple[re.Pattern, ...]
    since: tuple[re.Pattern, ...]
    generic_concepts: frozenset[str]
    generic_premodifiers: frozenset[str]
    states: frozenset[str]
    recency: re.Pattern
    female_only: frozenset[str]
    female_words: re.Pattern
    permission: re.Pattern
    cues: dict[str, str]  # cue name -> regex alternation of its words (longest first)


def _words(raw: dict, key: str) -> frozenset[str]:
    values = raw.get(key)
    if not isinstance(values, list) or not all(
        isinstance(v, str) and v == v.lower() for v in values
    ):
        raise ValueError(f"phrases.yaml: {key!r} must be a list of lower-case strings")
    return frozenset(values)


def _alternation(values: list[str]) -> str:
    return "|".join(sorted(values, key=len, reverse=True))


@cache
def phrases() -> Phrases:
    text = resources.files("trialscout.criteria").joinpath("data/phrases.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    cohorts = []
    for entry in raw["cohorts"]:
        if "pattern" not in entry:
            raise ValueError(f"phrases.yaml: cohort entry without a pattern: {entry!r}")
        other = entry.get("other")
        cohorts.append(
            Cohort(
                re.compile(rf"(?:{entry['pattern']})"),
                entry.get("sex"),
                (other if isinstance(other, str) else "group membership") if other else None,
                bool(entry.get("condition")),
            )
        )
    explanatory = _alternation([re.escape(w) for w in _words(raw, "explanatory")])
    return Phrases(
        filler=_words(raw, "filler"),
        or_words=_words(raw, "or_words"),
        and_words=_words(raw, "and_words"),
        explanatory=re.compile(rf"^\W*(?:{explanatory})\b"),
        cohorts=tuple(cohorts),
        within=tuple(re.compile(p) for p in raw["windows"]["within"]),
        since=tuple(re.compile(p) for p in raw["windows"]["since"]),
        generic_concepts=_words(raw, "generic_concepts"),
        generic_premodifiers=_words(raw, "generic_premodifiers"),
        states=_words(raw, "states"),
        recency=re.compile(rf"\b(?:{_alternation(list(_words(raw, 'recency')))})\b"),
        female_only=_words(raw, "female_only"),
        female_words=re.compile(raw["female_words"]),
        permission=re.compile(raw["permission"]),
        cues=_cues(raw),
    )


def _cues(raw: dict) -> dict[str, str]:
    cues = raw.get("cues")
    if not isinstance(cues, dict):
        raise ValueError("phrases.yaml: 'cues' must map cue names to word lists")
    return {name: _alternation([re.escape(w) for w in _words(cues, name)]) for name in cues}
