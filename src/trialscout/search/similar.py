"""Similar trials: shared conditions, shared interventions and overlapping text, with a reason.

Candidates come from the same FTS index (the source trial's conditions, interventions and title
as an any-word query); they are then re-scored with explicit overlaps so the reason shown
("same condition: ...; same drug: ...") is what actually drove the rank.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from functools import cache
from importlib import resources

from trialscout.registry.model import Trial
from trialscout.search.filters import SearchFilters
from trialscout.search.geo import key
from trialscout.search.index import intervention_names
from trialscout.search.query import MAX_QUERY_CHARS, parse_query
from trialscout.search.ranking import DEFAULT
from trialscout.search.results import SimilarTrial
from trialscout.search.vocab import vocabulary, words
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

POOL = 60
# At most this many concepts in the any-word candidate query (conditions and drugs come first,
# then title words): each concept is a posting list FTS5 scores in full, so an unbounded list
# scored most of a 100,000-trial index per request (issue 13: bounded per-request work).
MAX_SOURCE_CONCEPTS = 8


@cache
def _generic() -> frozenset[str]:
    raw = resources.files("trialscout.search").joinpath("stopwords.json").read_text("utf-8")
    items = json.loads(raw).get("generic_interventions", [])
    return frozenset(key(i) for i in items)


def concepts(name: str) -> set[str]:
    """Keys a name stands for: its own normalized form plus every synonym group named in it
    ('HBV-related HCC' -> {'hbv related hcc', 'hepatitis b', 'hepatocellular carcinoma'})."""
    vocab = vocabulary()
    tokens = words(name)
    out = {key(name)} if tokens else set()
    for width in range(1, vocab.longest + 1):
        for i in range(len(tokens) - width + 1):
            for g in vocab.phrase_index.get(tokens[i : i + width], ()):
                out.add(vocab.groups[g].concept)
    return out


def _named(names: list[str], generic: frozenset[str] = frozenset()) -> dict[str, str]:
    """concept key -> a display name (a synonym group's concept, else the name as written)."""
    out: dict[str, str] = {}
    groups = {g.concept for g in vocabulary().groups}
    for n in names:
        if key(n) in generic:
            continue
        for c in concepts(n):
            if c and c not in out:
                out[c] = c if c in groups else n
    return out


def _shared(mine: dict[str, str], theirs: list[str], generic: frozenset[str]) -> list[str]:
    seen, out = set(), []
    for c in _named(theirs, generic):
        name = mine.get(c)
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def _source_query(trial: Trial) -> str:
    parts = [*trial.conditions, *trial.condition_terms, *intervention_names(trial), trial.title]
    return " ".join(p for p in parts if p)[: MAX_QUERY_CHARS - 1]


def _pool(conn: sqlite3.Connection, parsed, exclude: str) -> list[tuple]:
    """The POOL best text matches (tantivy, any concept), without the source trial."""
    from trialscout.search import fulltext, tsearch

    plan = tsearch.Plan(fulltext.reader(conn), parsed, SearchFilters(), DEFAULT)
    scores = dict(plan.best("any", POOL + 1)[0])
    rows = conn.execute(
        "SELECT t.rowid, d.trial_id, t.title, d.conditions, d.interventions FROM trials t "
        "JOIN search_docs d ON d.doc_id = t.rowid "
        "WHERE t.rowid IN (SELECT value FROM json_each(?)) AND d.trial_id != ?",
        (json.dumps(list(scores)), exclude),
    ).fetchall()
    return [(r[1], r[2], scores[r[0]], r[3], r[4]) for r in rows]


def _reason(conds: list[str], drugs: list[str]) -> str:
    parts = []
    if conds:
        parts.append(f"same condition: {', '.join(conds[:3]).lower()}")
    if drugs:
        parts.append(f"same drug: {', '.join(drugs[:3]).lower()}")
    return "; ".join(parts) or "similar wording in title and description"


def similar_trials(db: Database, trial_id: str, limit: int = 5) -> list[SimilarTrial]:
    """Trials related to `trial_id`, best first. Raises `TrialNotFound` for an unknown id."""
    if not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ValueError(f"limit must be between 1 and 100, not {limit!r}")
    source = TrialStore(db).get(trial_id).trial
    parsed = parse_query(_source_query(source), allow_empty=True)
    if not parsed.concepts:
        return []
    parsed = replace(parsed, concepts=parsed.concepts[:MAX_SOURCE_CONCEPTS])
    my_conds = _named([*source.conditions, *source.condition_terms])
    my_drugs = _named(intervention_names(source), _generic())
    rows = _pool(db.conn, replace(parsed, patient_age=None, patient_sex=None), source.trial_id)
    top = max((r[2] for r in rows), default=1.0) or 1.0
    scored = []
    for tid, title, text_score, conds_json, drugs_json in rows:
        conds = _shared(my_conds, json.loads(conds_json), frozenset())
        drugs = _shared(my_drugs, json.loads(drugs_json), _generic())
        score = 0.5 * text_score / top + 0.3 * min(len(conds), 2) / 2 + 0.2 * min(len(drugs), 2) / 2
        scored.append(SimilarTrial(tid, title or tid, round(score, 4), _reason(conds, drugs)))
    scored.sort(key=lambda s: (-s.score, s.trial_id))
    return scored[:limit]
