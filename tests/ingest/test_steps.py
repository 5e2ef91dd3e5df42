"""Ingest stores first, then index steps build the derived indexes: restartable, only for new
or changed content, with progress, and search says when criteria are still being parsed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialscout.ingest import derived, pipeline, steps
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_paths
from trialscout.search import search

SAMPLE = Path(__file__).parent.parent / "data" / "search" / "v2_sample.jsonl"


def _count(db, sql: str, *args) -> int:
    return db.conn.execute(sql, args).fetchone()[0]


def _store_only(db, path: Path = SAMPLE):
    return ingest_records(db, read_paths([str(path)]), hooks=[])


def test_ingest_stores_then_indexes_everything(db):
    report = pipeline.ingest_paths(db, [SAMPLE], workers=1)
    trials = _count(db, "SELECT count(*) FROM trials")
    assert report.new == trials > 10
    for step in ("search", "criteria"):
        done = _count(db, "SELECT count(*) FROM index_done WHERE step = ? AND error IS NULL", step)
        assert done == trials, step
    assert _count(db, "SELECT count(*) FROM search_docs") == trials
    assert (
        _count(
            db,
            "SELECT count(*) FROM trial_criteria c JOIN trials t ON t.trial_id = c.trial_id "
            "AND t.version = c.version",
        )
        == trials
    )
    assert search(db, "diabetes").total > 0


def test_stored_trials_are_not_searchable_until_the_search_step(db):
    _store_only(db)
    assert search(db, "diabetes").total == 0
    reports = pipeline.index(db, workers=1)
    assert [r.name for r in reports] == ["search", "fulltext", "criteria"]
    assert search(db, "diabetes").total > 0


def test_a_killed_step_resumes_where_it_stopped(db, monkeypatch):
    _store_only(db)
    trials = _count(db, "SELECT count(*) FROM trials")
    monkeypatch.setattr(steps, "PAGE", 4)
    seen: list[tuple[str, int, int]] = []

    def die_after_first_page(name: str, done: int, total: int) -> None:
        seen.append((name, done, total))
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        steps.run_step(db, derived.SEARCH, workers=1, progress=die_after_first_page)
    assert seen == [("search", 0, trials), ("search", 4, trials)]
    assert steps.pending_count(db.conn, derived.SEARCH) == trials - 4
    again = steps.run_step(db, derived.SEARCH, workers=1)
    assert again.indexed == trials - 4
    assert steps.pending_count(db.conn, derived.SEARCH) == 0


def test_a_step_with_nothing_to_do_keeps_its_finish_time(db):
    pipeline.ingest_paths(db, [SAMPLE], workers=1)
    stamps = "SELECT step, pending, updated_at FROM index_progress ORDER BY step"
    before = db.conn.execute(stamps).fetchall()
    assert [r.indexed for r in pipeline.index(db, workers=1)] == [0, 0, 0]
    assert db.conn.execute(stamps).fetchall() == before


def test_workers_give_the_same_index(db, tmp_path):
    from trialscout.store.db import Database

    _store_only(db)
    steps.run_step(db, derived.SEARCH, workers=2)
    other = Database(tmp_path / "inline.db")
    _store_only(other)
    steps.run_step(other, derived.SEARCH, workers=1)
    sql = "SELECT * FROM search_facets ORDER BY doc_id"
    assert db.conn.execute(sql).fetchall() == other.conn.execute(sql).fetchall()
    other.close()


def _changed_copy(tmp_path: Path, criteria_too: bool) -> tuple[Path, str]:
    """The sample with its first record's title (and maybe criteria) edited."""
    lines = SAMPLE.read_text().splitlines()
    first = json.loads(lines[0])
    proto = first["protocolSection"]
    proto["identificationModule"]["briefTitle"] += " (quetzalcoatl revision)"
    if criteria_too:
        proto["eligibilityModule"]["eligibilityCriteria"] += "\n* Age 30 years or older"
    out = tmp_path / "changed.jsonl"
    out.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    return out, proto["identificationModule"]["nctId"]


def test_only_changed_trials_are_indexed_again(db, tmp_path):
    pipeline.ingest_paths(db, [SAMPLE], workers=1)
    assert [r.indexed for r in pipeline.index(db, workers=1)] == [0, 0, 0]
    changed, nct = _changed_copy(tmp_path, criteria_too=False)
    pipeline.ingest_paths(db, [changed], workers=1)
    assert _count(db, "SELECT version FROM trials WHERE trial_id = ?", nct) == 2
    # search re-indexed the changed trial; its criteria text is unchanged: parse kept, moved
    row = db.conn.execute(
        "SELECT version FROM trial_criteria WHERE trial_id = ?", (nct,)
    ).fetchone()
    assert row[0] == 2
    assert search(db, "quetzalcoatl").total == 1
    assert steps.pending_count(db.conn, derived.criteria_step()) == 0


def test_changed_criteria_are_parsed_again(db, tmp_path):
    pipeline.ingest_paths(db, [SAMPLE], workers=1)
    changed, nct = _changed_copy(tmp_path, criteria_too=True)
    _store_only(db, changed)
    with db.transaction() as conn:
        assert derived.keep_unchanged_criteria(conn, int(derived.criteria_step().version)) == 0
    report = steps.run_step(db, derived.criteria_step(), workers=1)
    assert report.indexed == 1
    parsed = db.conn.execute(
        "SELECT parsed, version FROM trial_criteria WHERE trial_id = ?", (nct,)
    ).fetchone()
    assert parsed[1] == 2 and "30 years" in parsed[0]


def test_search_says_criteria_are_still_being_parsed(db):
    _store_only(db)
    steps.run_step(db, derived.SEARCH, workers=1)
    with db.transaction() as conn:
        steps.set_pending(conn, derived.criteria_step())
    page = search(db, "diabetes")
    assert page.total > 0
    assert any("still being parsed" in n for n in page.expanded_query)
    steps.run_step(db, derived.criteria_step(), workers=1)
    assert not any("still being parsed" in n for n in search(db, "diabetes").expanded_query)
