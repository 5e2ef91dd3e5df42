"""The coordinators' screening page: the latest `trialscout screen` run, behind the login."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trialscout.screen.export import Record, input_files, read_file
from trialscout.store.db import Database

from .conftest import COORDINATOR, csrf_of

pytest.importorskip("pyarrow")
EXPORT = Path(__file__).parent.parent / "data" / "screen" / "export"


@pytest.fixture
def screen_dir(tmp_path: Path, demo_db_path: Path, monkeypatch) -> Path:
    """A real run's files: the test export judged by the screen stage's own functions."""
    from trialscout.screen import TrialFilter, select_trials
    from trialscout.screen.judge import build_patient, judge_patient
    from trialscout.screen.output import write_run

    with Database(demo_db_path) as db:
        trials = select_trials(db, TrialFilter(query="hepatocellular carcinoma"))
    per: dict[str, list[Record]] = {}
    for f in input_files(EXPORT):
        for item in read_file(f):
            per.setdefault(item.patient, []).append(item)
    judged = []
    for pid, recs in per.items():
        patient, _ = build_patient(recs, date(2026, 6, 1))
        judged += judge_patient(patient, pid, trials, date(2026, 6, 1))
    out = tmp_path / "screen_out"
    titles = {t: (trials.trials[t].nct_id, trials.trials[t].title) for t in trials.trials}
    write_run(out, judged, titles)
    monkeypatch.setenv("TRIALSCOUT_SCREEN_DIR", str(out))
    return out


def _login(c) -> None:
    token = csrf_of(c, "/coordinator/login")
    c.post(
        "/coordinator/login",
        data={"csrf_token": token, "username": COORDINATOR[0], "password": COORDINATOR[1]},
    )


def test_screening_page_needs_a_coordinator(client, screen_dir):
    assert client.get("/coordinator/screening", follow_redirects=False).status_code == 303


def test_lists_trials_then_a_trials_candidates(other_client, screen_dir):
    from trialscout.screen import latest

    _login(other_client)
    page = other_client.get("/coordinator/screening")
    assert page.status_code == 200
    rows = latest.summary(screen_dir)
    best = rows[0]
    assert best["eligible"] + best["possibly_eligible"] > 0
    assert f"?trial={best['trial_id']}" in page.text
    one = other_client.get("/coordinator/screening", params={"trial": best["trial_id"]})
    cands = latest.candidates(screen_dir, best["trial_id"])
    assert one.status_code == 200 and cands
    assert all(c["patient"] in one.text for c in cands)
    assert cands[0]["questions"] and cands[0]["questions"][0].split("'")[0] in one.text


def test_path_tricks_in_the_trial_id_find_nothing(other_client, screen_dir):
    _login(other_client)
    page = other_client.get("/coordinator/screening", params={"trial": "../../etc/passwd"})
    assert page.status_code == 200 and "No candidates" in page.text


def test_unconfigured_says_how_to_configure(other_client, monkeypatch):
    monkeypatch.delenv("TRIALSCOUT_SCREEN_DIR", raising=False)
    _login(other_client)
    assert "TRIALSCOUT_SCREEN_DIR" in other_client.get("/coordinator/screening").text
