"""Parsed criteria in the database: written at ingest (index hook), read by the CLI and matcher.

The hook runs inside the record's savepoint, so a trial and its parsed criteria always change
together. Rows written by an older parser version are re-parsed on read rather than trusted.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from typing import Any

import orjson

from trialscout.criteria.parser import PARSER_VERSION, parse_criteria
from trialscout.registry.model import Trial
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore


def _nct(trial: Trial) -> str:
    return trial.nct_id or trial.trial_id


@dataclass(frozen=True, slots=True)
class PreparedCriteria:
    """The CPU-heavy part of the hook, computable in a worker process (picklable)."""

    text_hash: str
    parsed_json: str
    n_criteria: int
    n_rules: int
    n_computable: int


def text_hash(criteria: str | None) -> str:
    """What a stored parse is keyed by: the criteria text it was parsed from."""
    return hashlib.sha1((criteria or "").encode("utf-8")).hexdigest()


def _text_hash(trial: Trial) -> str:
    return text_hash(trial.eligibility.criteria)


def prepare_criteria(trial: Trial) -> PreparedCriteria:
    """Parse a trial's criteria (pure: no database), for `store_criteria`."""
    parsed = parse_criteria(trial.eligibility.criteria, _nct(trial))
    rules = [r for c in parsed["criteria"] for r in c["rules"]]
    return PreparedCriteria(
        _text_hash(trial),
        orjson.dumps(parsed).decode(),
        len(parsed["criteria"]),
        len(rules),
        sum(r["type"] != "other" for r in rules),
    )


def store_criteria(
    conn: sqlite3.Connection, trial: Trial, payload: PreparedCriteria | None = None
) -> None:
    """Index hook: upsert the parsed criteria of the trial's current version.

    Ingest may hand over `payload` computed by `prepare_criteria` in a worker process. A new
    version whose criteria text is unchanged (most registry updates) keeps its stored parse.
    """
    row = conn.execute(
        "SELECT version FROM trials WHERE trial_id = ?", (trial.trial_id,)
    ).fetchone()
    version = row[0] if row else 0
    text_hash = payload.text_hash if payload is not None else _text_hash(trial)
    cur = conn.execute(
        "UPDATE trial_criteria SET version = ? WHERE trial_id = ? AND text_hash = ? "
        "AND parser_version = ?",
        (version, trial.trial_id, text_hash, PARSER_VERSION),
    )
    if cur.rowcount:
        return
    write_parse(conn, trial.trial_id, version, payload or prepare_criteria(trial))


def write_parse(
    conn: sqlite3.Connection, trial_id: str, version: int, payload: PreparedCriteria
) -> None:
    """Upsert one trial's parse (the one writer of `trial_criteria`, for the hook and ingest)."""
    conn.execute(
        "INSERT OR REPLACE INTO trial_criteria (trial_id, version, parser_version, text_hash, "
        "n_criteria, n_rules, n_computable, parsed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            trial_id,
            version,
            PARSER_VERSION,
            payload.text_hash,
            payload.n_criteria,
            payload.n_rules,
            payload.n_computable,
            payload.parsed_json,
        ),
    )


# Lets ingest run the parse in its worker processes (see store.ingest / registry.parallel).
store_criteria.prepare = prepare_criteria  # type: ignore[attr-defined]


def load_criteria(db: Database, trial_id: str) -> dict[str, Any] | None:
    """Contract 1 for the trial's current version; parsed on the fly if missing or stale.

    Returns None when the trial is not in the database.
    """
    store = TrialStore(db)
    try:
        tid = store.resolve_id(trial_id)
    except LookupError:
        return None
    row = db.conn.execute(
        "SELECT c.parsed, c.version, c.parser_version, t.version FROM trial_criteria c "
        "JOIN trials t ON t.trial_id = c.trial_id WHERE c.trial_id = ?",
        (tid,),
    ).fetchone()
    if row and row[1] == row[3] and row[2] == PARSER_VERSION:
        return orjson.loads(row[0])
    trial = store.get(tid).trial
    return parse_criteria(trial.eligibility.criteria, _nct(trial))


_CHUNK = 500  # SQLite's default limit on host parameters is 999


def load_many(db: Database, trials: list[Trial]) -> dict[str, dict[str, Any]]:
    """Contract 1 for each trial (by trial_id), read in batches from the stored parses.

    A row whose text hash differs from the trial's current criteria text, or whose parser
    version is older than `PARSER_VERSION`, or a trial with no row (ingested without the hook),
    is parsed again here; nothing is written (reads never change the store).
    """
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(trials), _CHUNK):
        part = {t.trial_id: t for t in trials[i : i + _CHUNK]}
        marks = ",".join("?" * len(part))
        rows = db.conn.execute(
            "SELECT trial_id, parser_version, text_hash, parsed FROM trial_criteria "
            f"WHERE trial_id IN ({marks})",
            list(part),
        ).fetchall()
        for tid, parser_version, text_hash, parsed in rows:
            if parser_version >= PARSER_VERSION and text_hash == _text_hash(part[tid]):
                out[tid] = orjson.loads(parsed)
        for tid, trial in part.items():
            if tid not in out:
                out[tid] = parse_criteria(trial.eligibility.criteria, _nct(trial))
    return out


def reindex_criteria(db: Database) -> int:
    """Re-parse every stored trial (after a parser upgrade); returns how many were written."""
    count = 0
    trials = list(TrialStore(db).iter_trials())
    with db.transaction() as conn:
        for trial in trials:
            store_criteria(conn, trial)
            count += 1
    return count
