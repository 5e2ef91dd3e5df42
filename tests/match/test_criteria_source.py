"""The matcher reads the parses stored at ingest, in one batch, and re-parses only stale rows."""

from __future__ import annotations

from pathlib import Path

import orjson

from trialscout.criteria import PARSER_VERSION
from trialscout.ingest import pipeline
from trialscout.match.criteria_source import criteria_many
from trialscout.store.trials import TrialStore

RECORDS = Path(__file__).parents[1] / "data" / "match" / "records"
MARKER = {"nct_id": "X", "criteria": [{"kind": "inclusion", "text": "stored", "rules": [
    {"type": "other", "text": "stored"}]}]}  # fmt: skip


def _store(db):
    pipeline.ingest_paths(db, [RECORDS], workers=0)
    db.conn.execute("UPDATE trial_criteria SET parsed = ?", (orjson.dumps(MARKER).decode(),))
    return list(TrialStore(db).get_many(["NCT04163237", "NCT06317558", "NCT00460850"]).values())


def _dump(db) -> str:
    return "\n".join(db.conn.iterdump())


def test_current_rows_are_read_not_parsed(db):
    trials = _store(db)
    before = _dump(db)
    got = criteria_many(db, trials)
    assert {t.trial_id for t in trials} == set(got)
    assert all(p["criteria"][0]["text"] == "stored" for p in got.values())
    assert _dump(db) == before  # reading never writes


def test_older_parser_version_or_changed_text_is_parsed_again(db):
    trials = _store(db)
    db.conn.execute(
        "UPDATE trial_criteria SET parser_version = ? WHERE trial_id = 'NCT04163237'",
        (PARSER_VERSION - 1,),
    )
    db.conn.execute("UPDATE trial_criteria SET text_hash = 'x' WHERE trial_id = 'NCT06317558'")
    got = criteria_many(db, trials)
    assert got["NCT00460850"]["criteria"][0]["text"] == "stored"
    assert got["NCT04163237"]["criteria"][0]["text"] != "stored"
    assert got["NCT06317558"]["criteria"][0]["text"] != "stored"


def test_a_trial_without_a_stored_row_is_parsed(db):
    trials = _store(db)
    db.conn.execute("DELETE FROM trial_criteria WHERE trial_id = 'NCT00460850'")
    got = criteria_many(db, trials)
    assert got["NCT00460850"]["criteria"] and got["NCT00460850"]["criteria"][0]["text"] != "stored"
