"""The derived indexes ingest keeps up to date, as index steps (see `steps`).

- search: FTS5 text (snippets, similar trials), filter/facet columns, sites and the places
  gazetteer (search.index);
- fulltext: the tantivy index search ranks, filters and counts with (search.fulltext);
- criteria: the parsed eligibility criteria (contract 1) of each trial's current version,
  through the criteria stage's one entry point `parse_criteria`; a new version whose criteria
  text is unchanged keeps its stored parse (only the version mark moves).
Embeddings stay an explicit command (`trialscout embed`): they need the optional extra.
"""

from __future__ import annotations

import sqlite3

from trialscout.ingest.steps import IndexStep
from trialscout.registry.model import Trial

SEARCH_VERSION = "1"


def _search_write(conn: sqlite3.Connection, trial_id, version, trial: Trial, payload) -> None:
    from trialscout.search.index import index_tables

    index_tables(conn, trial, payload)


def _search_prepare(trial: Trial):
    from trialscout.search.index import prepare

    return prepare(trial)


SEARCH = IndexStep("search", SEARCH_VERSION, _search_prepare, _search_write, needs_trial=True)


def _fulltext_prepare(trial: Trial):
    from trialscout.search.fulltext import prepare

    return prepare(trial)


def _fulltext_write(conn: sqlite3.Connection, trial_id, version, trial, payload) -> None:
    from trialscout.search.fulltext import write

    write(conn, trial_id, version, trial, payload)


def _fulltext_begin(conn: sqlite3.Connection) -> None:
    from trialscout.search.fulltext import begin

    begin(conn)


def _fulltext_flush(conn: sqlite3.Connection) -> None:
    from trialscout.search.fulltext import flush

    flush(conn)


def _fulltext_close(conn: sqlite3.Connection) -> None:
    from trialscout.search.fulltext import close

    close(conn)


def fulltext_step() -> IndexStep:
    """The tantivy index beside the database: the page's documents are committed to tantivy
    (`flush`) before the page's marks, so a killed run redoes the page (replace by id)."""
    from trialscout.search.fulltext import STEP, VERSION

    return IndexStep(STEP, VERSION, _fulltext_prepare, _fulltext_write,
                     begin=_fulltext_begin, flush=_fulltext_flush,
                     close=_fulltext_close)  # fmt: skip


def _criteria_prepare(trial: Trial):
    """The trial's parse, pure: runs in a worker."""
    from trialscout.criteria.storage import prepare_criteria

    return prepare_criteria(trial)


def _criteria_write(conn: sqlite3.Connection, trial_id: str, version: int, trial, payload) -> None:
    from trialscout.ingest.criteria_store import write_parse

    write_parse(conn, trial_id, version, payload)


def criteria_step() -> IndexStep:
    """Versioned by the parser: a new parser version re-parses every trial."""
    from trialscout.criteria import PARSER_VERSION

    return IndexStep("criteria", str(PARSER_VERSION), _criteria_prepare, _criteria_write)


def keep_unchanged_criteria(conn: sqlite3.Connection, parser_version: int) -> int:
    """New versions whose criteria text has a stored parse by this parser: move the parse to
    the new version and mark it done, so the step never re-parses unchanged text."""
    rows = conn.execute(
        "SELECT t.trial_id, t.version, c.text_hash, v.data FROM trials t "
        "JOIN trial_criteria c ON c.trial_id = t.trial_id AND c.parser_version = ? "
        "JOIN trial_versions v ON v.trial_id = t.trial_id AND v.version = t.version "
        "WHERE c.version != t.version",
        (parser_version,),
    ).fetchall()
    from trialscout.criteria.storage import text_hash as criteria_text_hash
    from trialscout.store.trials import decode

    kept = []
    for trial_id, version, text_hash, blob in rows:
        criteria = (decode(blob).get("eligibility") or {}).get("criteria")
        if criteria_text_hash(criteria) == text_hash:
            kept.append((trial_id, version))
    conn.executemany("UPDATE trial_criteria SET version = ? WHERE trial_id = ?",
                     [(v, t) for t, v in kept])  # fmt: skip
    conn.executemany(
        "INSERT OR REPLACE INTO index_done (step, trial_id, version, step_version, error) "
        "VALUES ('criteria', ?, ?, ?, NULL)",
        [(t, v, str(parser_version)) for t, v in kept],
    )
    return len(kept)
