"""Fuzz tier (issue 12), registry readers: hostile values in every packaging, and arbitrary bytes,
ingested into a real database that already holds trials. For every example: no exception
escapes, every record is stored or named in a message with its file, counts add up, time and
memory stay bounded, and what was stored before is untouched unless a record replaced it.

Bounded for CI (about 30 s here): see `settings` below; cases tried are logged in
docs/benchmarks.md ("Hostile input (issue 12)")."""

from __future__ import annotations

import os
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialscout.ingest import pipeline
from trialscout.store.db import Database

from .fuzz_inputs import PACKAGINGS, REG, mutated_study, mutated_xml, package

FUZZ = settings(
    max_examples=int(os.environ.get("TRIALSCOUT_FUZZ_EXAMPLES", 40)),
    deadline=None,  # the bound is asserted below, with a clearer message
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SECONDS, MEGABYTES = 5.0, 100

pytestmark = pytest.mark.fuzz


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "base.db"
    with Database(path) as db:
        pipeline.ingest_paths(db, [REG / "ctg-studies_mixed10_2023-06-28.json"], workers=1)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _snapshot(db: Database) -> dict[str, tuple]:
    rows = db.conn.execute("SELECT trial_id, version, content_hash FROM trials")
    return {r[0]: tuple(r) for r in rows}


def _ingest_bounded(db: Database, path) -> object:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = pipeline.ingest_paths(db, [path], workers=1)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS, f"{path.name}: {elapsed:.1f} s"
    assert peak < MEGABYTES << 20, f"{path.name}: {peak >> 20} MB"
    return report


def _check(db: Database, path, before: dict[str, tuple], records: int | None) -> None:
    report = _ingest_bounded(db, path)
    for err in report.rejections:
        assert path.name in err.source and err.message, err
        assert "Traceback" not in err.message
    for source, why in report.skipped:
        assert path.name in source and why
    if records is not None:
        assert report.total + len(report.skipped) >= 1
    assert (
        db.conn.execute(
            "SELECT status FROM ingest_runs WHERE run_id = ?", (report.run_id,)
        ).fetchone()[0]
        == "done"
    )
    after = _snapshot(db)
    accepted = {
        r[0]
        for r in db.conn.execute(
            "SELECT trial_id FROM trials WHERE last_changed >= (SELECT started_at FROM ingest_runs "
            "WHERE run_id = ?)",
            (report.run_id,),
        )
    }
    for trial_id, row in before.items():
        if trial_id not in accepted:
            assert after[trial_id] == row, f"{trial_id} changed without being accepted"


def _fresh(base_db, tmp_path) -> Database:
    path = tmp_path / "fuzz.db"
    path.write_bytes(base_db.read_bytes())
    return Database(path)


@FUZZ
@given(kind=st.sampled_from(PACKAGINGS), studies=st.lists(mutated_study(), min_size=1, max_size=3))
def test_hostile_values_in_any_packaging(base_db, tmp_path_factory, kind, studies):
    tmp = tmp_path_factory.mktemp("case")
    path = tmp / kind
    path.write_bytes(package(kind, studies))
    with _fresh(base_db, tmp) as db:
        _check(db, path, _snapshot(db), len(studies))


@FUZZ
@given(xml=mutated_xml())
def test_hostile_legacy_xml(base_db, tmp_path_factory, xml):
    tmp = tmp_path_factory.mktemp("case")
    path = tmp / "NCT00490620.xml"
    path.write_text(xml)
    with _fresh(base_db, tmp) as db:
        _check(db, path, _snapshot(db), 1)


@FUZZ
@given(
    name=st.sampled_from(["x.json", "x.jsonl", "x.xml", "x.zip", "x.json.gz"]),
    data=st.one_of(
        st.binary(max_size=400),
        st.sampled_from([b"[" * 5000, b'{"studies": [' + b"{" * 3000, b'["' + b"\\" * 999, b"{}"]),
    ),
)
def test_arbitrary_bytes(base_db, tmp_path_factory, name, data):
    tmp = tmp_path_factory.mktemp("case")
    path = tmp / name
    path.write_bytes(data)
    with _fresh(base_db, tmp) as db:
        _check(db, path, _snapshot(db), None)
