"""Parsed criteria stored at ingest (real SQLite, real records) and read back."""

from __future__ import annotations

from pathlib import Path

import orjson

from trialscout.criteria import PARSER_VERSION, parse_criteria, validate_criteria
from trialscout.ingest import pipeline
from trialscout.ingest.criteria_store import load_criteria, reindex_criteria, store_criteria
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_paths

DATA = Path(__file__).parents[1] / "data" / "criteria"


def _ingest(db):
    return ingest_records(db, read_paths([str(DATA)]), hooks=[store_criteria])


def test_migration_creates_the_table(db):
    assert (3, "0003_criteria") in db.applied_migrations()
    cols = {r[1] for r in db.conn.execute("PRAGMA table_info(trial_criteria)")}
    assert {"trial_id", "version", "parser_version", "parsed"} <= cols


def test_hook_stores_contract_for_each_new_trial(db):
    report = _ingest(db)
    assert report.new == 3 and report.rejected == 0
    rows = db.conn.execute(
        "SELECT trial_id, version, parser_version, n_criteria, parsed FROM trial_criteria"
    ).fetchall()
    assert {r[0] for r in rows} == {"NCT00490685", "NCT00460681", "NCT05883644"}
    for trial_id, version, parser_version, n_criteria, parsed in rows:
        doc = orjson.loads(parsed)
        validate_criteria(doc)
        assert doc["nct_id"] == trial_id and version == 1 and parser_version == PARSER_VERSION
        assert n_criteria == len(doc["criteria"]) > 5


def test_load_criteria_reads_stored_parse(db):
    _ingest(db)
    doc = load_criteria(db, "nct05883644")  # any case
    assert doc["nct_id"] == "NCT05883644"
    assert {"type": "life_expectancy", "op": ">=", "value": 2.76, "unit": "months"} in [
        r for c in doc["criteria"] for r in c["rules"]
    ]


def test_load_criteria_parses_on_the_fly_when_missing(db):
    _ingest(db)
    db.conn.execute("DELETE FROM trial_criteria WHERE trial_id = 'NCT00460681'")
    doc = load_criteria(db, "NCT00460681")
    trial = next(r.trial for r in read_paths([str(DATA / "NCT00460681.xml")]))
    assert doc == parse_criteria(trial.eligibility.criteria, "NCT00460681")


def test_unknown_trial_gives_none(db):
    assert load_criteria(db, "NCT99999999") is None


def test_unchanged_reingest_does_not_rewrite(db):
    _ingest(db)
    db.conn.execute("UPDATE trial_criteria SET n_rules = -1")
    report = _ingest(db)
    assert report.unchanged == 3
    assert db.conn.execute("SELECT min(n_rules) FROM trial_criteria").fetchone()[0] == -1


def test_reindex_rewrites_every_trial(db):
    _ingest(db)
    db.conn.execute("DELETE FROM trial_criteria")
    assert reindex_criteria(db) == 3
    assert db.conn.execute("SELECT count(*) FROM trial_criteria").fetchone()[0] == 3


def test_hook_is_listed_in_the_pipeline():
    assert "trialscout.ingest.criteria_store:store_criteria" in pipeline.HOOKS
    assert store_criteria in pipeline.default_hooks()


def test_changed_version_with_same_criteria_text_keeps_its_parse(db):
    _ingest(db)
    trial = next(r.trial for r in read_paths([str(DATA / "NCT00460681.xml")]))
    trial.brief_title = "A new title"  # a changed record, same criteria
    db.conn.execute("UPDATE trial_criteria SET n_rules = -1 WHERE trial_id = 'NCT00460681'")
    from trialscout.registry.sources import SourceRecord

    report = ingest_records(db, [SourceRecord(source="edit", trial=trial)], hooks=[store_criteria])
    assert report.changed == 1
    row = db.conn.execute(
        "SELECT version, n_rules FROM trial_criteria WHERE trial_id = 'NCT00460681'"
    ).fetchone()
    assert tuple(row) == (2, -1)  # version moved on, parse reused
    trial.eligibility.criteria += "\n* ECOG 0-1"
    ingest_records(db, [SourceRecord(source="edit", trial=trial)], hooks=[store_criteria])
    doc = load_criteria(db, "NCT00460681")
    assert doc["criteria"][-1]["rules"] == [{"type": "score", "system": "ecog", "allowed": [0, 1]}]


def test_prepared_payload_path_used_by_parallel_ingest(db):
    """Ingest may parse in worker processes and call the hook with the prepared payload."""
    import pickle

    from trialscout.criteria.storage import prepare_criteria

    trial = next(r.trial for r in read_paths([str(DATA / "NCT00490685.xml")]))
    payload = pickle.loads(pickle.dumps(prepare_criteria(trial)))
    assert store_criteria.prepare is prepare_criteria
    from trialscout.registry.sources import SourceRecord

    rec = SourceRecord(
        source="x",
        trial=trial,
        prepared={"trialscout.ingest.criteria_store.store_criteria": payload},
    )
    report = ingest_records(db, [rec], hooks=[store_criteria])
    assert report.new == 1
    assert load_criteria(db, "NCT00490685") == parse_criteria(
        trial.eligibility.criteria, "NCT00490685"
    )
