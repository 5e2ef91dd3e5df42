"""Screening fixtures: the small generated export, the demo trials and one real LocalCluster
with two worker processes shared by the module's tests (starting one takes seconds)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from trialscout.store.db import Database

pytest.importorskip("distributed")

DATA = Path(__file__).parent.parent / "data" / "screen"
EXPORT = DATA / "export"
BUNDLES = DATA / "bundles"
TODAY = date(2026, 6, 1)
QUERY = "hepatocellular carcinoma"  # a handful of open demo trials


@pytest.fixture(scope="session")
def trial_set(demo_db_path: Path):
    from trialscout.screen import TrialFilter, select_trials

    with Database(demo_db_path) as db:
        trials = select_trials(db, TrialFilter(query=QUERY))
    assert 3 <= len(trials) <= 20
    return trials


@pytest.fixture(scope="session")
def cluster_client():
    """The engine's own LocalCluster, with two worker processes."""
    from trialscout.screen.engine import connect

    with connect(workers=2) as client:
        yield client


@pytest.fixture
def export_copy(tmp_path: Path) -> Path:
    """A writable copy of the small export."""
    dest = tmp_path / "export"
    shutil.copytree(EXPORT, dest)
    return dest
