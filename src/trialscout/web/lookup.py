"""The search box's shortcuts: a trial's ID goes straight to the trial (its own ID or any ID
the registrant gave it: 'IIT-2024-077'), and a misspelt condition gets a "did you mean" from
the vocabulary's condition names and the conditions stored with the trials.

The store keeps no index of secondary IDs (that belongs to the ingest stage), so the map of
them is built here from the stored records once and reused until the number of trials changes
or ten minutes pass.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cache

from trialscout import vocab
from trialscout.store.db import Database
from trialscout.store.trials import TrialNotFound, TrialStore

_ID = re.compile(r"^[A-Za-z0-9]+(?:[-_/.:][A-Za-z0-9]+)*$")
_TTL = 600.0
_lock = threading.Lock()


@dataclass(slots=True)
class _Index:
    built: float
    count: int
    alt_ids: dict[str, str] = field(default_factory=dict)  # upper-case ID -> trial_id
    conditions: set[str] = field(default_factory=set)  # as registered, lower case


_indexes: dict[str, _Index] = {}


def looks_like_id(text: str) -> bool:
    """One token of letters and digits with at least one digit: 'NCT04163237', 'IIT-2024-077'."""
    t = text.strip()
    return 4 <= len(t) <= 40 and bool(_ID.match(t)) and any(ch.isdigit() for ch in t)


def _build(db: Database, count: int) -> _Index:
    index = _Index(time.monotonic(), count)
    for trial in TrialStore(db).iter_trials():
        ids = [trial.nct_id, trial.org_study_id, *(s.id for s in trial.secondary_ids)]
        for alt in ids:
            if alt:
                index.alt_ids.setdefault(alt.strip().upper(), trial.trial_id)
        index.conditions.update(c.strip().lower() for c in trial.conditions if c.strip())
    return index


def _index(db: Database) -> _Index:
    count = TrialStore(db).count()
    key = str(db.path)
    with _lock:
        index = _indexes.get(key)
        if index is None or index.count != count or time.monotonic() - index.built > _TTL:
            index = _indexes[key] = _build(db, count)
        return index


def find_trial_id(db: Database, query: str) -> str | None:
    """The stored trial a query names by ID, or None (the query is searched as text)."""
    text = (query or "").strip()
    if not looks_like_id(text):
        return None
    try:
        return TrialStore(db).resolve_id(text)
    except TrialNotFound:
        return _index(db).alt_ids.get(text.upper())


@cache
def _vocabulary_names() -> tuple[str, ...]:
    names: set[str] = set()
    for concept in vocab.concepts("condition").values():
        names.add(concept.id)
        names.update(a for a in concept.aliases if len(a) > 3)
    return tuple(sorted(names))


def did_you_mean(db: Database, query: str, limit: int = 3) -> list[str]:
    """Close spellings of a query that found nothing, known names first; [] when none is
    close or the query is already a known name."""
    text = " ".join((query or "").lower().split())
    if len(text) < 4 or looks_like_id(text) or vocab.canonical(text, "condition"):
        return []
    near = [n for n in _vocabulary_names() if abs(len(n) - len(text)) <= 3]
    found = difflib.get_close_matches(text, near, n=limit, cutoff=0.8)
    index = _indexes.get(str(db.path))  # stored names once an ID lookup has read them:
    if index is not None:  # a misspelling never waits for a scan of every record
        stored = [c for c in index.conditions if abs(len(c) - len(text)) <= 3]
        found += difflib.get_close_matches(text, stored, n=limit, cutoff=0.85)
    return [f for f in dict.fromkeys(found) if f != text][:limit]


def normalized_condition(text: str | None) -> str:
    """A registrant's condition as the vocabulary names it ('Chronic Hepaititis B' ->
    'chronic hepatitis b'), so an alert for it finds the trials spelt correctly."""
    raw = " ".join((text or "").split())
    if not raw:
        return ""
    known = vocab.canonical(raw, "condition")
    if known:
        return known
    close = difflib.get_close_matches(raw.lower(), _vocabulary_names(), n=1, cutoff=0.85)
    return close[0] if close else raw
