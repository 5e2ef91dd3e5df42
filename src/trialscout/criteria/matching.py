"""Alias matching and the small typed result every extractor returns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from trialscout import vocab

NEGATED = "!"  # prefix of a mention name read from a negated alias ('HBeAg negative')


@dataclass(slots=True)
class Found:
    """A rule and where (in the normalized text) it was read from."""

    rule: dict[str, Any]
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class Mention:
    name: str  # canonical concept
    start: int
    end: int


_WORD = re.compile(r"(?<![\w-])\w+")
_FIRST = re.compile(r"\w+")


@dataclass(slots=True, frozen=True)
class _Table:
    """Aliases indexed by their first word: one dict lookup per word of text (fast at ingest)."""

    by_first_word: dict[str, list[tuple[str, str]]]  # word -> [(alias, name)], longest first


def _index(pairs: dict[str, str]) -> _Table:
    by_first: dict[str, list[tuple[str, str]]] = {}
    for alias, name in pairs.items():
        first = _FIRST.match(alias)
        if first is None or first.start() != 0:
            raise ValueError(f"alias {alias!r} must start with a letter or digit")
        by_first.setdefault(first.group(0), []).append((alias, name))
    for entries in by_first.values():
        entries.sort(key=lambda e: len(e[0]), reverse=True)
    return _Table(by_first)


@lru_cache(maxsize=1)
def _tables() -> dict[str, _Table]:
    sources = {
        "lab": {n: (n.replace("_", " "), *a.aliases) for n, a in vocab.analytes().items()},
        "therapy": {n: (n, *c.aliases) for n, c in vocab.concepts("therapy").items()},
        "condition": {
            **{n: (n, *c.aliases) for n, c in vocab.concepts("condition").items()},
            **{NEGATED + n: c.negated_aliases for n, c in vocab.concepts("condition").items()},
        },
        "score": {n: s.aliases for n, s in vocab.score_systems().items()},
    }
    out = {}
    for kind, table in sources.items():
        pairs: dict[str, str] = {}
        for name, aliases in table.items():
            for alias in aliases:
                pairs.setdefault(alias, name)
        out[kind] = _index(pairs)
    return out


@lru_cache(maxsize=1)
def _combined() -> dict[str, list[tuple[str, str, str]]]:
    """word -> [(alias, name, kind)] over every vocabulary, longest alias first."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for kind, table in _tables().items():
        for word, entries in table.by_first_word.items():
            out.setdefault(word, []).extend((a, n, kind) for a, n in entries)
    for entries in out.values():
        entries.sort(key=lambda e: len(e[0]), reverse=True)
    return out


def mentions(kind: str, text: str) -> list[Mention]:
    """Every non-overlapping alias of `kind` in normalized text, leftmost then longest."""
    return list(_all_mentions(text).get(kind, ()))


@lru_cache(maxsize=32)
def _all_mentions(text: str) -> dict[str, tuple[Mention, ...]]:
    """One pass over the words of `text` for all vocabularies (ingest speed matters)."""
    table = _combined()
    found: dict[str, list[Mention]] = {}
    last_end: dict[str, int] = {}
    n = len(text)
    for w in _WORD.finditer(text):
        entries = table.get(w.group(0))
        if not entries:
            continue
        start = w.start()
        for alias, name, kind in entries:
            if start < last_end.get(kind, 0):
                continue
            end = start + len(alias)
            if text.startswith(alias, start) and (end == n or not _is_word(text[end])):
                found.setdefault(kind, []).append(Mention(name, start, end))
                last_end[kind] = end
    return {k: tuple(v) for k, v in found.items()}


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
