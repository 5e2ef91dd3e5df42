"""Find vocabulary concepts in free text with one Aho-Corasick automaton.

Criteria and notes are scanned once for every alias of every concept (conditions, therapies,
lab analytes, score systems) instead of regex by regex. Matches must sit on word boundaries; of
overlapping matches the longest wins ("non-small cell lung cancer" over "lung cancer").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import ahocorasick

from trialscout.vocab.concepts import concepts
from trialscout.vocab.labs import analytes
from trialscout.vocab.scores import score_systems

_QUOTES = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-", "\u00a0": " "})


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # offsets into the text given to `find`
    end: int
    text: str  # as written
    kind: str  # condition | therapy | lab | score
    id: str  # concept id, analyte name or score system
    negated: bool = False  # the alias names the concept's absence ("hiv negative")


def plural(alias: str) -> str | None:
    """'cardiac arrhythmia' -> 'cardiac arrhythmias' (the last word), None when already plural."""
    if alias.endswith(("s", "x", ")")) or not alias[-1:].isalpha():
        return None
    if alias.endswith("y") and alias[-2:-1] not in "aeiou":
        return alias[:-1] + "ies"
    return alias + "s"


def _entries() -> Iterable[tuple[str, str, str, bool]]:
    for kind in ("condition", "therapy"):
        for c in concepts(kind).values():
            for alias in (c.id, *c.aliases):
                yield alias, kind, c.id, False
                many = plural(alias) if len(alias) > 4 else None
                if many:
                    yield many, kind, c.id, False
            for alias in c.negated_aliases:
                yield alias, kind, c.id, True
    for a in analytes().values():
        for alias in (a.name.replace("_", " "), *a.aliases):
            yield alias, "lab", a.name, False
    for s in score_systems().values():
        for alias in s.aliases:
            yield alias, "score", s.name, False


@cache
def _automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for alias, kind, cid, negated in _entries():
        key = " ".join(alias.lower().translate(_QUOTES).split())
        if key in found and not negated and alias != cid and _is_plural_of_other(found[key], kind):
            continue
        targets = found.setdefault(key, [])
        if (kind, cid, negated) not in targets:
            targets.append((kind, cid, negated))
    for key, targets in found.items():
        auto.add_word(key, (len(key), tuple(targets)))
    auto.make_automaton()
    return auto


def _is_plural_of_other(targets: list[tuple[str, str, bool]], kind: str) -> bool:
    """A generated plural never adds a second meaning to a phrase that already has one."""
    return any(k == kind for k, _c, _n in targets)


_ODD_SPACE = re.compile(r"\s{2,}|[^\S ]|^\s")


def _normalized(text: str) -> tuple[str, list[int] | range]:
    """Lower case, one space per whitespace run; and each normalized char's source offset."""
    low = text.translate(_QUOTES).lower()
    if len(low) == len(text) and not _ODD_SPACE.search(low):
        return low, range(len(text))  # the common case: offsets are unchanged
    chars: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(text.translate(_QUOTES)):
        if ch.isspace():
            if not space and chars:
                chars.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        low = ch.lower()
        chars.append(low if len(low) == 1 else ch)
        where.append(i)
    return "".join(chars), where


def _boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def find(text: str, kinds: Iterable[str] | None = None) -> list[Mention]:
    """Every concept mention in `text`, longest first on overlaps, in text order.

    An alias naming concepts of several kinds ("anticoagulation") yields one mention per kind
    asked for; `kinds` limits the search (default: all).
    """
    wanted = set(kinds) if kinds is not None else None
    norm, where = _normalized(text)
    spans: list[tuple[int, int, str, str, bool]] = []
    for end_idx, (length, targets) in _automaton().iter(norm):
        start = end_idx - length + 1
        if not _boundary(norm, start, end_idx + 1):
            continue
        for kind, cid, negated in targets:
            if wanted is None or kind in wanted:
                spans.append((start, end_idx + 1, kind, cid, negated))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[Mention] = []
    chosen: tuple[int, int] | None = None
    for start, end, kind, cid, negated in spans:
        if chosen is not None and (start, end) != chosen and start < chosen[1]:
            continue  # overlaps a longer (or earlier) match
        chosen = (start, end)
        a, b = where[start], where[end - 1] + 1
        out.append(Mention(a, b, text[a:b], kind, cid, negated))
    return out
