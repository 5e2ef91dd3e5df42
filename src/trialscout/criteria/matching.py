"""Alias matching and the small typed result every extractor returns."""

from __future__ import annotations

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


def mentions(kind: str, text: str) -> list[Mention]:
    """Every mention of `kind` in normalized text, in text order (one vocabulary scan)."""
    return list(_all_mentions(text).get(kind, ()))


@lru_cache(maxsize=32)
def _all_mentions(text: str) -> dict[str, tuple[Mention, ...]]:
    """One Aho-Corasick pass of the vocabulary over `text` (ingest speed matters); of
    overlapping mentions the longest wins across kinds ('hbv dna' is a lab, not 'hbv')."""
    found: dict[str, list[Mention]] = {}
    for m in vocab.find(text):
        name = NEGATED + m.id if m.negated else m.id
        found.setdefault(m.kind, []).append(Mention(name, m.start, m.end))
    return {k: tuple(v) for k, v in found.items()}
