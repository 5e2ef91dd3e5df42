"""From the `Trial` model to what the store writes (`store.records.RecordRow`).

`store/` stores record versions without knowing the model; ingest, which composes the stages,
maps a Trial to its canonical JSON, content hash and summary columns here.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from trialscout.registry.model import Trial
from trialscout.store.db import Database
from trialscout.store.records import Outcome, RecordRow, compress, version_known, write_record


def encode(trial: Trial) -> tuple[bytes, str]:
    """(compressed canonical JSON, content hash): computed by ingest workers."""
    return compress(trial.to_json())


def summary(trial: Trial) -> tuple[Any, ...]:
    """The values of `store.records.SUMMARY_COLUMNS`, in order."""
    e = trial.eligibility
    return (
        trial.nct_id,
        trial.title,
        trial.overall_status,
        trial.study_type,
        ",".join(trial.phases) or None,
        e.sex,
        e.min_age_years,
        e.max_age_years,
        None if e.healthy_volunteers is None else int(e.healthy_volunteers),
        int(trial.has_results),
        trial.enrollment,
        trial.start_date,
        trial.last_update_posted,
    )


def write_trial(
    conn: sqlite3.Connection,
    trial: Trial,
    source: str | None,
    encoded: tuple[bytes, str] | None = None,
    run_started: str | None = None,
) -> tuple[Outcome, int]:
    """Store `trial` unless its content equals the current version (`store.records`).
    `encoded` is `encode(trial)` when a worker already computed it."""
    blob, digest = encoded or encode(trial)
    row = RecordRow(trial.trial_id, trial.last_update_posted, summary(trial), blob, digest)
    return write_record(conn, row, source, run_started=run_started)


class KnownVersions:
    """`known(trial)`: is this exact content already stored? For worker processes, which skip
    preparing index payloads for unchanged records. Picklable: each process opens its own
    read-only connection on first use. A wrong "no" only costs time (the payload is prepared)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._db: Database | None = None

    def __getstate__(self) -> dict:
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.path, self._db = state["path"], None

    def __call__(self, trial: Trial) -> bool:
        if self._db is None:
            self._db = Database(self.path)
        return version_known(self._db.conn, trial.trial_id, trial.content_hash())
