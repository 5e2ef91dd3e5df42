"""Does the patient's term satisfy the criterion's term? Synonyms plus an is_a hierarchy.

A patient with HCC satisfies "liver cancer" (narrower satisfies broader), a patient on tenofovir
satisfies "nucleos(t)ide analogue"; the reverse does not hold (a liver cancer is not known to be
an HCC). The criteria vocabulary, when installed, is asked as well.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources

from trialscout.match.criteria_source import vocab


def norm(term: str) -> str:
    text = term.lower().replace("’", "'")
    text = re.sub(r"[^\w()'+\-/ ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    seen: dict = {}
    for k, v in pairs:
        if k in seen:
            raise ValueError(f"concepts.json: duplicate key {k!r}")
        seen[k] = v
    return seen


@cache
def _data() -> tuple[dict[str, str], dict[str, set[str]]]:
    """(term -> preferred name, preferred -> direct parents), validated."""
    text = resources.files(__package__).joinpath("data/concepts.json").read_text("utf-8")
    raw = json.loads(text, object_pairs_hook=_unique_keys)
    preferred: dict[str, str] = {}
    for group in raw["synonyms"]:
        if not group or any(not isinstance(t, str) or t != t.lower() for t in group):
            raise ValueError(f"concepts.json: bad synonym group {group!r}")
        for term in group:
            preferred.setdefault(norm(term), norm(group[0]))
    parents: dict[str, set[str]] = {}
    for child, ups in raw["is_a"].items():
        if not isinstance(ups, list):
            raise ValueError(f"concepts.json: is_a[{child!r}] must be a list")
        parents[canonical(child, preferred)] = {canonical(u, preferred) for u in ups}
    return preferred, parents


def canonical(term: str, preferred: dict[str, str] | None = None) -> str:
    table = preferred if preferred is not None else _data()[0]
    t = norm(term)
    return table.get(t, t)


@lru_cache(maxsize=4096)
def ancestors(term: str) -> frozenset[str]:
    """The term's concept and everything above it."""
    parents = _data()[1]
    start = canonical(term)
    seen, todo = {start}, [start]
    while todo:
        for up in parents.get(todo.pop(), ()):
            if up not in seen:
                seen.add(up)
                todo.append(up)
    return frozenset(seen)


@lru_cache(maxsize=4096)
def descendants_and_synonyms(term: str) -> tuple[str, ...]:
    """Every surface form that would satisfy `term` (for looking it up in a note)."""
    preferred, _ = _data()
    target = canonical(term)
    concepts = {c for c in set(preferred.values()) | {target} if target in ancestors(c)}
    forms = {t for t, p in preferred.items() if p in concepts} | concepts | {norm(term)}
    return tuple(sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=16384)
def satisfies(patient_term: str, rule_term: str) -> bool:
    """True when a patient fact named `patient_term` is (a kind of) `rule_term`."""
    p, r = canonical(patient_term), canonical(rule_term)
    if not p or not r:
        return False
    if p == r or r in ancestors(p):
        return True
    if _contains_words(norm(patient_term), norm(rule_term)):
        return True
    v = vocab()
    if v is not None and hasattr(v, "is_a"):
        try:
            if v.is_a(patient_term, rule_term):
                return True
        except (KeyError, ValueError, TypeError):
            pass
    if v is not None and hasattr(v, "drug_class"):
        try:
            cls = v.drug_class(patient_term)
        except (KeyError, ValueError, TypeError):
            cls = None
        if cls and canonical(cls) == r:
            return True
    return False


def _contains_words(longer: str, shorter: str) -> bool:
    """'chronic hepatitis b' contains 'hepatitis b' as whole words (a narrower phrase)."""
    if len(shorter) < 4 or shorter == longer:
        return False
    return re.search(r"(?<![\w-])" + re.escape(shorter) + r"(?![\w-])", longer) is not None
