"""Conditions and therapies: one concept per preferred name, synonyms, codes and one hierarchy.

HCC is a liver cancer is a cancer; tenofovir is a nucleos(t)ide analogue is an antiviral therapy.
Every stage (criteria, patient, match, search, summary) asks this module, so "primary liver
cancer" means the same thing everywhere. Concept ids are the preferred names (lower case).
The hierarchy is the curated `parents` plus the ICD-10-CM tree for coded concepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from trialscout.vocab import icd
from trialscout.vocab.load import codes, read, terms

KINDS = ("condition", "therapy")


@dataclass(frozen=True, slots=True)
class Concept:
    id: str  # the preferred name, lower case
    kind: str  # condition | therapy
    aliases: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # "icd10cm:C22.0", "snomed:...", "atc:..."
    negated_aliases: tuple[str, ...] = ()  # "hiv negative" names the concept's absence
    event: bool = False  # an acute event (infarction, stroke): its date is when it happened

    @property
    def name(self) -> str:
        return self.id


def norm(text: str) -> str:
    """The spelling aliases are stored in: lower case, one space, curly quotes straightened."""
    text = text.lower().replace("’", "'").replace("–", "-")
    return re.sub(r"\s+", " ", text).strip()


def _table(kind: str) -> dict[str, Concept]:
    name = {"condition": "conditions.yaml", "therapy": "therapies.yaml"}[kind]
    raw = read(name)
    entries: dict[str, dict[str, list[str]]] = {}
    for key, entry in raw.items():
        where = f"{name}: {key!r}"
        if not isinstance(key, str) or key != norm(key):
            raise ValueError(f"{where}: keys must be lower-case preferred names")
        entry = entry or {}
        unknown = set(entry) - {"aliases", "parents", "codes", "negated_aliases", "event"}
        if unknown:
            raise ValueError(f"{where}: unknown fields {sorted(unknown)}")
        entries[key] = {
            "aliases": list(terms(entry, "aliases", where)),
            "parents": list(terms(entry, "parents", where)),
            "codes": list(codes(entry, where)),
            "negated": list(terms(entry, "negated_aliases", where)),
            "event": bool(entry.get("event", False)),
        }
    if kind == "condition":
        _add_icd(entries)
    out = {
        key: Concept(
            key,
            kind,
            tuple(e["aliases"]),
            tuple(e["parents"]),
            tuple(e["codes"]),
            tuple(e["negated"]),
            bool(e.get("event", False)),
        )
        for key, e in entries.items()
    }
    for concept in out.values():
        for parent in concept.parents:
            if parent not in out:
                raise ValueError(f"{name}: {concept.id!r}: unknown parent {parent!r}")
    return out


def _add_icd(entries: dict[str, dict[str, list[str]]]) -> None:
    """ICD-10-CM items as concepts, merged into a curated concept that has the code or a name.

    Curated entries win: an ICD name that is already another concept's name or alias is left
    out, so the curated synonyms a clinician wrote are never overridden by the tree's wording.
    """
    owner: dict[str, str] = {}
    by_code: dict[str, str] = {}
    for key, e in entries.items():
        for alias in (key, *e["aliases"], *e["negated"]):
            owner.setdefault(alias, key)
        for code in e["codes"]:
            if code.startswith("icd10cm:"):
                by_code.setdefault(code[8:], key)
    for code, (_parent, names) in icd.table().items():
        if not names:
            continue
        target = by_code.get(code) or next((owner[n] for n in names if n in owner), None)
        if target is None:
            target = names[0]
            entries[target] = {
                "aliases": [],
                "parents": [],
                "codes": [],
                "negated": [],
                "event": False,
            }
            owner[target] = target
        entry = entries[target]
        if f"icd10cm:{code}" not in entry["codes"]:
            entry["codes"].append(f"icd10cm:{code}")
        by_code.setdefault(code, target)
        for n in names:
            if n not in owner:
                owner[n] = target
                entry["aliases"].append(n)


@cache
def concepts(kind: str) -> dict[str, Concept]:
    """Every concept of one kind by id (validated; raises ValueError naming a bad entry)."""
    if kind not in KINDS:
        raise ValueError(f"unknown concept kind {kind!r}; valid: {', '.join(KINDS)}")
    return _table(kind)


@cache
def _aliases(kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for concept in concepts(kind).values():
        out.setdefault(concept.id, concept.id)
    for concept in concepts(kind).values():
        for alias in concept.aliases:
            if out.get(alias, concept.id) != concept.id:
                raise ValueError(f"alias {alias!r} names both {out[alias]!r} and {concept.id!r}")
            out[alias] = concept.id
    return out


@lru_cache(maxsize=65536)  # the matcher asks the same few names millions of times (screening)
def canonical(text: str, kind: str) -> str | None:
    """'HCC', 'hepatoma' -> 'hepatocellular carcinoma'; None when the vocabulary lacks it."""
    return _aliases(kind).get(norm(text))


def concept(text: str, kind: str) -> Concept | None:
    """The concept a name, alias or id stands for (None when unknown)."""
    cid = canonical(text, kind)
    return concepts(kind)[cid] if cid else None


@cache
def ancestors(cid: str, kind: str) -> frozenset[str]:
    """Every broader concept (transitively, curated parents and ICD-10-CM tree), not itself."""
    table = concepts(kind)
    seen: set[str] = set()
    stack = list(table[cid].parents) if cid in table else []
    stack += _icd_parents(cid, kind)
    while stack:
        parent = stack.pop()
        if parent not in seen and parent != cid:
            seen.add(parent)
            stack.extend(table[parent].parents)
            stack.extend(_icd_parents(parent, kind))
    return frozenset(seen)


def _icd_parents(cid: str, kind: str) -> list[str]:
    """Concepts whose ICD-10-CM code is an ancestor of this concept's code."""
    if kind != "condition" or cid not in concepts(kind):
        return []
    out = []
    for code in concepts(kind)[cid].codes:
        if code.startswith("icd10cm:"):
            for up in icd.ancestors(code[8:]):
                out += [c for c in _by_icd().get(up, ()) if c != cid]
    return out


@cache
def _by_icd() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for c in concepts("condition").values():
        for code in c.codes:
            if code.startswith("icd10cm:"):
                out.setdefault(icd.normalize(code[8:]), []).append(c.id)
    return {k: tuple(v) for k, v in out.items()}


def is_a(child: str, parent: str, kind: str) -> bool:
    """is_a('HCC', 'liver cancer', 'condition') -> True; also True for the same concept."""
    c, p = canonical(child, kind), canonical(parent, kind)
    if c is None or p is None:
        return False
    return c == p or p in ancestors(c, kind)


@cache
def descendants(cid: str, kind: str) -> frozenset[str]:
    """Every narrower concept of `cid` (not itself)."""
    return frozenset(c for c in concepts(kind) if c != cid and cid in ancestors(c, kind))


def is_event(name: str, kind: str = "condition") -> bool:
    """An acute event (myocardial infarction, stroke) or a kind of one: its date is when it
    happened, it is not ongoing since then."""
    cid = canonical(name, kind)
    if cid is None:
        return False
    table = concepts(kind)
    return any(table[c].event for c in (cid, *ancestors(cid, kind)) if c in table)


def by_code(system: str, code: str) -> Concept | None:
    """The concept a coded fact names: exact code first, then (ICD-10-CM) the nearest coded
    ancestor in the tree, so C22.0 finds 'hepatocellular carcinoma' and C22.9 'liver cancer'.
    `system` is a short name (icd10cm, snomed, ...) or a FHIR system URL."""
    short = icd.system_name(system)
    if short is None:
        return None
    if short == "icd10cm":
        for candidate in (icd.normalize(code), *icd.ancestors(code)):
            found = _by_icd().get(candidate)
            if found:
                return concepts("condition")[found[0]]
        return None
    key = f"{short}:{code.strip()}"
    for kind in KINDS:
        for c in concepts(kind).values():
            if key in c.codes:
                return c
    return None
