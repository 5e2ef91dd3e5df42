"""The trials to screen: open trials (optionally filtered), their criteria read from the store once.

The result is a plain picklable `TrialSet` that the engine ships to every worker once; workers
never open the database and never parse criteria. Each trial carries a hash of its stored
version and its parse, so an incremental run knows which trials changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from trialscout import vocab
from trialscout.criteria.parser import PARSER_VERSION
from trialscout.ingest.criteria_store import load_many
from trialscout.match.candidates import OPEN_STATUSES
from trialscout.match.targets import trial_targets
from trialscout.registry.model import Trial
from trialscout.search import SearchFilters, search
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

SEARCH_LIMIT = 100  # the search engine's page size; pages are walked until the end


@dataclass(slots=True)
class TrialFilter:
    """`--trials QUERY`, `--country`, `--city`, `--condition`, `--sponsor`."""

    query: str | None = None
    country: str | None = None
    city: str | None = None
    condition: str | None = None
    sponsor: str | None = None

    def uses_search(self) -> bool:
        return any((self.query, self.country, self.city, self.condition))


@dataclass(slots=True)
class TrialSet:
    trials: dict[str, Trial] = field(default_factory=dict)  # trial_id -> trial
    parsed: dict[str, dict[str, Any]] = field(default_factory=dict)  # trial_id -> contract 1
    hashes: dict[str, str] = field(default_factory=dict)  # trial_id -> version/parse hash

    def __len__(self) -> int:
        return len(self.trials)

    def subset(self, ids: set[str]) -> TrialSet:
        keep = [t for t in self.trials if t in ids]
        return TrialSet(
            {t: self.trials[t] for t in keep},
            {t: self.parsed[t] for t in keep},
            {t: self.hashes[t] for t in keep},
        )


def _open_ids(db: Database) -> list[str]:
    marks = ",".join("?" * len(OPEN_STATUSES))
    rows = db.conn.execute(
        f"SELECT trial_id FROM trials WHERE overall_status IN ({marks}) ORDER BY trial_id",
        OPEN_STATUSES,
    ).fetchall()
    return [r[0] for r in rows]


def _searched_ids(db: Database, f: TrialFilter) -> list[str]:
    query = " ".join(x for x in (f.query, f.condition) if x)
    filters = SearchFilters(status=list(OPEN_STATUSES), country=f.country, city=f.city)
    out: list[str] = []
    offset = 0
    while True:
        page = search(db, query, filters, limit=SEARCH_LIMIT, offset=offset)
        out += [h.trial_id for h in page.hits]
        offset += SEARCH_LIMIT
        if not page.hits or offset >= page.total:
            return sorted(dict.fromkeys(out))


def _sponsor_ok(trial: Trial, sponsor: str | None) -> bool:
    if not sponsor:
        return True
    name = (trial.sponsor.name if trial.sponsor else "") or ""
    return sponsor.strip().lower() in name.lower()


def trial_hash(db: Database, trial_id: str, parsed: dict[str, Any]) -> str:
    """Changes when the stored trial (content hash) or its parse (or the parser) changes."""
    row = db.conn.execute(
        "SELECT content_hash FROM trials WHERE trial_id = ?", (trial_id,)
    ).fetchone()
    h = hashlib.sha256(f"{row[0] if row else ''}|{PARSER_VERSION}|".encode())
    h.update(orjson.dumps(parsed, option=orjson.OPT_SORT_KEYS))
    return h.hexdigest()[:32]


def _condition_ok(trial: Trial, condition: str | None) -> bool:
    """`--condition` keeps trials that study it (their listed conditions, through the
    vocabulary's hierarchy both ways: 'hepatitis b' keeps chronic hepatitis B trials and viral
    hepatitis trials), not every trial whose text mentions it (an exclusion of HBV carriers)."""
    if not condition:
        return True
    wanted = vocab.canonical(condition, "condition")
    if wanted is None:  # not in the vocabulary: the listed conditions' own words
        key = condition.strip().lower()
        return any(key in c.lower() for c in [*trial.conditions, *trial.condition_terms])
    return any(
        t == wanted or vocab.is_a(t, wanted, "condition") or vocab.is_a(wanted, t, "condition")
        for t in trial_targets(trial)
    )


def select_trials(db: Database, f: TrialFilter | None = None) -> TrialSet:
    """Open trials matching the filter, with criteria read in one batch (parsed at ingest)."""
    f = f or TrialFilter()
    ids = _searched_ids(db, f) if f.uses_search() else _open_ids(db)
    return trial_set(db, ids, f.sponsor, f.condition)


def open_trial_ids(db: Database) -> list[str]:
    """Every open trial's id, in id order."""
    return _open_ids(db)


def trial_set(
    db: Database, ids: list[str], sponsor: str | None = None, condition: str | None = None
) -> TrialSet:
    """These trials (lead sponsor containing `sponsor`, studying `condition`, when given) with
    their criteria."""
    trials = TrialStore(db).get_many(ids)
    chosen = [
        trials[i]
        for i in ids
        if i in trials and _sponsor_ok(trials[i], sponsor) and _condition_ok(trials[i], condition)
    ]
    parsed = load_many(db, chosen)
    return TrialSet(
        {t.trial_id: t for t in chosen},
        {t.trial_id: parsed[t.trial_id] for t in chosen},
        {t.trial_id: trial_hash(db, t.trial_id, parsed[t.trial_id]) for t in chosen},
    )
