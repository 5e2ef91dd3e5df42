"""Shared fixtures: a fresh database per test, and one demo database per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from trialscout.ingest import pipeline
from trialscout.store.db import Database

DATA = Path(__file__).parent / "data"

# CI runs property tests with a fixed seed so a red run is reproducible; local runs stay random
# and keep hunting (a failure found locally becomes an explicit regression test).
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Tests never touch the user's own database.
os.environ.pop("TRIALSCOUT_DB", None)


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "test.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A database loaded once with the bundled demo data; copy it before writing to it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Database(path) as database:
        report = pipeline.load_demo(database)
        assert report.rejected == 0, report.rejections[:3]
        database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo_db(demo_db_path: Path, tmp_path: Path) -> Database:
    """A private, writable copy of the demo database."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_path, path)
    database = Database(path)
    yield database
    database.close()
