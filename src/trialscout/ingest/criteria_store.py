"""Parsed criteria in the database: the one writer of `trial_criteria` and its readers.

Ingest's criteria index step writes through `write_parse` (`ingest.derived`); `store_criteria`
is the same write as a per-record hook (tests, older callers). The parse itself is pure
(`criteria.storage.prepare_criteria`); this module is where it meets the store, so that
`criteria/` does not import `store/`. Rows written by an older parser version, or for another
criteria text, are re-parsed on read rather than trusted (reads never write).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from trialscout.criteria.parser import PARSER_VERSION
from trialscout.criteria.storage import (
    PreparedCriteria,
    parse_trial,
    prepare_criteria,
    trial_text_hash,
)
from trialscout.registry.model import Trial
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore


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
    text_hash = payload.text_hash if payload is not None else trial_text_hash(trial)
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


# Lets ingest run the parse in its worker processes (see ingest.load / registry.parallel).
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
    return parse_trial(trial)


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
            if parser_version >= PARSER_VERSION and text_hash == trial_text_hash(part[tid]):
                out[tid] = orjson.loads(parsed)
        for tid, trial in part.items():
            if tid not in out:
                out[tid] = parse_trial(trial)
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
