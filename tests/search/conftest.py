"""Search fixtures: a small database of real registry records (tests/data/search), indexed with
only the search hook so another stage's work in progress cannot break these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_paths
from trialscout.search.index import index_trial
from trialscout.store.db import Database

SEARCH_DATA = Path(__file__).parent.parent / "data" / "search"


def load_search_sample(db: Database) -> None:
    paths = [str(SEARCH_DATA / "v2_sample.jsonl")] + sorted(
        str(p) for p in SEARCH_DATA.glob("*.xml")
    )
    report = ingest_records(db, read_paths(paths), hooks=[index_trial])
    assert report.rejected == 0, report.rejections[:3]


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("search") / "sample.db"
    with Database(path) as database:
        load_search_sample(database)
        database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def sample_db(sample_db_path: Path) -> Database:
    """Read-only use: the session's sample database (tests that write use `db`)."""
    database = Database(sample_db_path)
    yield database
    database.close()


@pytest.fixture
def search_data() -> Path:
    return SEARCH_DATA


@pytest.fixture
def loaded_db(db: Database) -> Database:
    """A fresh writable database with the sample loaded."""
    load_search_sample(db)
    return db
