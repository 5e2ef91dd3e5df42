"""Loads the query vocabularies (synonym groups, stopwords) from validated JSON data files.

Kept as data, not code, so clinicians can review and extend them; loading checks keys and
types and names the offending entry, because a typo here silently degrades every search.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> tuple[str, ...]:
    """The tokens FTS5's unicode61 tokenizer would see (letters/digits runs), lower-cased."""
    return tuple(_WORD.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class SynonymGroup:
    concept: str
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    groups: tuple[SynonymGroup, ...]
    stopwords: frozenset[str]
    # token tuple of a phrase -> indexes of the groups that contain it
    phrase_index: dict[tuple[str, ...], tuple[int, ...]]
    longest: int


def _read(name: str) -> dict[str, Any]:
    text = resources.files("trialscout.search").joinpath(name).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"search/{name}: expected a JSON object")
    return data


def parse_groups(data: dict[str, Any], source: str = "synonyms.json") -> tuple[SynonymGroup, ...]:
    groups = data.get("groups")
    if not isinstance(groups, list):
        raise ValueError(f"{source}: 'groups' must be a list")
    out = []
    for i, g in enumerate(groups):
        if not isinstance(g, dict) or set(g) != {"concept", "phrases"}:
            raise ValueError(f"{source}: group {i} must have exactly 'concept' and 'phrases'")
        phrases = g["phrases"]
        if not isinstance(g["concept"], str) or not g["concept"].strip():
            raise ValueError(f"{source}: group {i} has an empty concept")
        if not isinstance(phrases, list) or len(phrases) < 2:
            raise ValueError(f"{source}: group {g['concept']!r} needs at least two phrases")
        for p in phrases:
            if not isinstance(p, str) or not words(p):
                raise ValueError(f"{source}: group {g['concept']!r} has a bad phrase {p!r}")
        out.append(SynonymGroup(g["concept"], tuple(phrases)))
    return tuple(out)


def build_vocabulary(groups: tuple[SynonymGroup, ...], stopwords: frozenset[str]) -> Vocabulary:
    index: dict[tuple[str, ...], list[int]] = {}
    for gi, group in enumerate(groups):
        for phrase in group.phrases:
            index.setdefault(words(phrase), []).append(gi)
    longest = max((len(k) for k in index), default=1)
    return Vocabulary(groups, stopwords, {k: tuple(v) for k, v in index.items()}, longest)


@cache
def vocabulary() -> Vocabulary:
    groups = parse_groups(_read("synonyms.json"))
    stop = _read("stopwords.json").get("words")
    if not isinstance(stop, list) or not all(isinstance(w, str) and w == w.lower() for w in stop):
        raise ValueError("stopwords.json: 'words' must be a list of lower-case strings")
    return build_vocabulary(groups, frozenset(stop))
