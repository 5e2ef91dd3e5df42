"""How a patient's fact relates to a rule's concept, through the one vocabulary (`vocab/`).

A patient with HCC meets "liver cancer" (narrower satisfies broader: basis `inferred`); a
patient on tenofovir meets "nucleos(t)ide analogue"; the reverse never holds (a liver cancer is
not known to be an HCC). Codes are compared with their systems ("icd10cm:C22.0"). A name the
vocabulary does not know matches only itself (or, as a narrower phrase, a fact whose name
contains it as whole words: "chronic hepatitis b" meets "hepatitis b").
"""

from __future__ import annotations

import re
from functools import lru_cache

from trialscout import vocab
from trialscout.match.results import Basis


@lru_cache(maxsize=16384)
def concept_id(name: str, kind: str) -> str | None:
    """The vocabulary concept a name (or "system:code") stands for, if any."""
    found = vocab.canonical(name, kind)
    if found is None and name.count(",") == 1:  # MeSH's inverted headings: "Hepatitis B, Chronic"
        head, _, tail = name.partition(",")
        found = vocab.canonical(f"{tail.strip()} {head.strip()}", kind)
    if found is None and ":" in name:
        system, _, code = name.rpartition(":")  # "http://hl7.org/fhir/sid/icd-10-cm:C22.0" too
        hit = vocab.by_code(system, code)
        found = hit.id if hit is not None and hit.kind == kind else None
    return found


@lru_cache(maxsize=65536)
def fact_concept(name: str, concept: str | None, codes: tuple[str, ...], kind: str) -> str | None:
    """A fact's concept: as read, else by name, else by its first code the vocabulary knows."""
    if concept and vocab.concept(concept, kind) is not None:
        return vocab.canonical(concept, kind)
    found = concept_id(name, kind)
    for code in codes:
        if found is not None:
            break
        found = concept_id(code, kind)
    return found


@lru_cache(maxsize=65536)
def _codes(codes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        {c.strip().lower().replace("icd-10-cm:", "icd10cm:") for c in codes if ":" in c}
    )


@lru_cache(maxsize=1 << 18)  # pure: the same fact and rule name meet across many trials
def relation(
    fact: tuple[str, str | None, tuple[str, ...]],
    rule_name: str,
    rule_codes: tuple[str, ...],
    kind: str,
) -> Basis | None:
    """STATED when the fact names the rule's concept (or code), INFERRED when it names a
    narrower concept, None otherwise. `fact` is (name, concept, codes)."""
    name, concept, codes = fact
    if _codes(codes) & _codes(rule_codes):
        return Basis.STATED
    fc = fact_concept(name, concept, codes, kind)
    rc = concept_id(rule_name, kind)
    if fc is not None and rc is not None:
        if fc == rc:
            return Basis.STATED
        return Basis.INFERRED if vocab.is_a(fc, rc, kind) else None
    a, b = vocab.norm(name), vocab.norm(rule_name)
    if a == b:
        return Basis.STATED
    return Basis.INFERRED if _contains_words(a, b) else None


@lru_cache(maxsize=65536)
def is_within(child: str, parent: str, kind: str) -> bool:
    """`child` is `parent` or a narrower concept (names or codes; unknown names: equality)."""
    c, p = concept_id(child, kind), concept_id(parent, kind)
    if c is not None and p is not None:
        return vocab.is_a(c, p, kind)
    return vocab.norm(child) == vocab.norm(parent)


def _contains_words(longer: str, shorter: str) -> bool:
    """'chronic hepatitis b' contains 'hepatitis b' as whole words (a narrower phrase)."""
    if len(shorter) < 4 or shorter == longer:
        return False
    return re.search(r"(?<![\w-])" + re.escape(shorter) + r"(?![\w-])", longer) is not None


def note_mentions(note: str) -> frozenset[tuple[str, str]]:
    """(kind, concept) pairs a note names anywhere, negated or not: a record that mentions a
    concept without the reader making a fact of it is not evidence of absence."""
    return frozenset((m.kind, m.id) for m in vocab.find(note, ("condition", "therapy")))


def mentioned(mentions: frozenset[tuple[str, str]], note: str, name: str, kind: str) -> bool:
    """Does the note name `name` or a narrower concept (or, for unknown names, the words)?"""
    rc = concept_id(name, kind)
    if rc is None:
        words = vocab.norm(name)
        return len(words) >= 4 and _contains_words(vocab.norm(note), words)
    return any(k == kind and vocab.is_a(c, rc, kind) for k, c in mentions)
