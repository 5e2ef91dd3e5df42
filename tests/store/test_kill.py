"""Killing the process in the middle of an ingest leaves the database consistent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

REG = Path(__file__).parent.parent / "data" / "registry"


def _big_jsonl(path: Path, n: int) -> None:
    study = json.loads((REG / "NCT06171568.json").read_text())
    with path.open("w") as f:
        for i in range(n):
            study["protocolSection"]["identificationModule"]["nctId"] = f"NCT{90000000 + i:08d}"
            f.write(json.dumps(study) + "\n")


def test_sigkill_mid_ingest_then_rerun(tmp_path):
    data = tmp_path / "many.jsonl"
    _big_jsonl(data, 20000)
    db_path = tmp_path / "kill.db"
    with Database(db_path) as db:  # something stored before must survive
        from trialscout.ingest.pipeline import ingest_paths

        ingest_paths(db, [REG / "NCT00490620.xml"])
    env = {**os.environ, "TRIALSCOUT_DB": str(db_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trialscout.cli", "ingest", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:  # wait until some batches are committed
        time.sleep(0.2)
        with Database(db_path) as db:
            if TrialStore(db).count() > 1500:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Database(db_path) as db:
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = TrialStore(db).count()
        assert 1 < stored < 20001
        assert TrialStore(db).get("NCT00490620")
        # every stored trial has its current version row: no half-written record
        orphans = db.conn.execute(
            "SELECT count(*) FROM trials t LEFT JOIN trial_versions v "
            "ON v.trial_id = t.trial_id AND v.version = t.version WHERE v.trial_id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
    rerun = subprocess.run(
        [sys.executable, "-m", "trialscout.cli", "ingest", str(data), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(rerun.stdout)
    assert report["new"] + report["unchanged"] == 20000 and report["unchanged"] == stored - 1
    with Database(db_path) as db:
        assert TrialStore(db).count() == 20001
        runs = [r[0] for r in db.conn.execute("SELECT status FROM ingest_runs ORDER BY run_id")]
        assert runs == ["done", "interrupted", "done"]
