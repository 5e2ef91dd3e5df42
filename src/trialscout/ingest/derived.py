"""The derived indexes ingest keeps up to date, as index steps (see `steps`).

- search: full text, filter/facet columns, sites and the places gazetteer (search.index);
- criteria: the parsed eligibility criteria (contract 1) of each trial's current version,
  through the criteria stage's one entry point `parse_criteria`; a new version whose criteria
  text is unchanged keeps its stored parse (only the version mark moves).
Embeddings stay an explicit command (`trialscout embed`): they need the optional extra.
"""

from __future__ import annotations

import hashlib
import sqlite3

import orjson

from trialscout.ingest.steps import IndexStep
from trialscout.registry.model import Trial

SEARCH_VERSION = "1"


def _search_write(conn: sqlite3.Connection, trial_id, version, trial: Trial, payload) -> None:
    from trialscout.search.index import index_trial

    index_trial(conn, trial, payload)


def _search_prepare(trial: Trial):
    from trialscout.search.index import prepare

    return prepare(trial)


SEARCH = IndexStep("search", SEARCH_VERSION, _search_prepare, _search_write, needs_trial=True)


def _text_hash(text: str | None) -> str:
    return hashlib.sha1((text or "").encode("utf-8")).hexdigest()


def _criteria_prepare(trial: Trial) -> tuple:
    """(text hash, contract-1 JSON, criteria, rules, computable rules): pure, in a worker."""
    from trialscout.criteria import parse_criteria

    parsed = parse_criteria(trial.eligibility.criteria, nct_id=trial.nct_id or trial.trial_id)
    rules = [r for c in parsed["criteria"] for r in c["rules"]]
    computable = sum(r["type"] != "other" for r in rules)
    text_hash = _text_hash(trial.eligibility.criteria)
    return text_hash, orjson.dumps(parsed).decode(), len(parsed["criteria"]), len(rules), computable


def _criteria_write(conn: sqlite3.Connection, trial_id: str, version: int, trial, payload) -> None:
    from trialscout.criteria import PARSER_VERSION

    text_hash, parsed, n_criteria, n_rules, n_computable = payload
    conn.execute(
        "INSERT OR REPLACE INTO trial_criteria (trial_id, version, parser_version, text_hash, "
        "n_criteria, n_rules, n_computable, parsed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (trial_id, version, PARSER_VERSION, text_hash, n_criteria, n_rules, n_computable, parsed),
    )


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
    from trialscout.store.trials import decode

    kept = []
    for trial_id, version, text_hash, blob in rows:
        criteria = (decode(blob).get("eligibility") or {}).get("criteria")
        if _text_hash(criteria) == text_hash:
            kept.append((trial_id, version))
    conn.executemany("UPDATE trial_criteria SET version = ? WHERE trial_id = ?",
                     [(v, t) for t, v in kept])  # fmt: skip
    conn.executemany(
        "INSERT OR REPLACE INTO index_done (step, trial_id, version, step_version, error) "
        "VALUES ('criteria', ?, ?, ?, NULL)",
        [(t, v, str(parser_version)) for t, v in kept],
    )
    return len(kept)
