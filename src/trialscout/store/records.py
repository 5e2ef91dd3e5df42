"""Writing record versions: model-agnostic, so `store/` does not depend on `registry/`.

A record arrives as a `RecordRow`: its ID, its update date, the summary columns and its
compressed canonical JSON with the content hash. What a record *is* (the `Trial` model) and
how it maps to the columns is the caller's business (`ingest/`).
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from trialscout.store.db import utcnow


class VersionConflict(ValueError):
    """Two records of one trial in one run carry the same update date but different content.

    Rule (docs/ingest.md): the first one read is kept, the later one is rejected with this
    message; neither is guessed to be "newer", and no second version or alert is made."""

    def __init__(self, trial_id: str, date: str, version: int) -> None:
        super().__init__(
            f"conflict: another record of {trial_id} with the same update date ({date}) but "
            f"different content was already loaded in this run (version {version}); kept that one"
        )


class Outcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    OLDER = "older"  # a version older than the current one: kept in history, not made current


SUMMARY_COLUMNS = (
    "nct_id, title, overall_status, study_type, phases, sex, min_age_years, max_age_years, "
    "healthy_volunteers, has_results, enrollment, start_date, last_update_posted"
)


@dataclass(slots=True, frozen=True)
class RecordRow:
    """One record version to store. `summary` holds the values of `SUMMARY_COLUMNS` in order;
    `blob` and `digest` are `compress(canonical JSON)`."""

    trial_id: str
    last_update_posted: str | None
    summary: tuple[Any, ...]
    blob: bytes
    digest: str


def compress(raw: bytes) -> tuple[bytes, str]:
    """(compressed canonical JSON, content hash)."""
    return zlib.compress(raw, 1), hashlib.sha256(raw).hexdigest()


def decode(blob: bytes) -> dict[str, Any]:
    return orjson.loads(zlib.decompress(blob))


def write_record(
    conn: sqlite3.Connection, row: RecordRow, source: str | None, run_started: str | None = None
) -> tuple[Outcome, int]:
    """Store `row` unless its content equals the current version. Returns (outcome, version).
    With `run_started`, a same-date, different-content record of a trial already written since
    then raises `VersionConflict`."""
    current = conn.execute(
        "SELECT version, content_hash, last_update_posted, last_changed FROM trials "
        "WHERE trial_id = ?",
        (row.trial_id,),
    ).fetchone()
    if current is not None and current[1] == row.digest:
        return Outcome.UNCHANGED, current[0]
    if (
        current is not None
        and conn.execute(
            "SELECT 1 FROM trial_versions WHERE trial_id = ? AND content_hash = ?",
            (row.trial_id, row.digest),
        ).fetchone()
    ):
        # An earlier version seen again (registry versions carry their update date, so equal
        # content means the same version): already stored, and it must not become current.
        return Outcome.UNCHANGED, current[0]
    _check_conflict(current, row, run_started)
    now = utcnow()
    version = 1 if current is None else _last_version(conn, row.trial_id) + 1
    conn.execute(
        "INSERT INTO trial_versions (trial_id, version, content_hash, seen_at, source, data) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (row.trial_id, version, row.digest, now, source, row.blob),
    )
    if current is None:
        conn.execute(
            f"INSERT INTO trials (trial_id, version, content_hash, first_seen, last_changed, "
            f"{SUMMARY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.trial_id, version, row.digest, now, now, *row.summary),
        )
        return Outcome.NEW, version
    if current[2] and row.last_update_posted and row.last_update_posted < current[2]:
        return Outcome.OLDER, version
    sets = ", ".join(f"{c.strip()} = ?" for c in SUMMARY_COLUMNS.split(","))
    conn.execute(
        f"UPDATE trials SET version = ?, content_hash = ?, last_changed = ?, {sets} "
        "WHERE trial_id = ?",
        (version, row.digest, now, *row.summary, row.trial_id),
    )
    return Outcome.CHANGED, version


def _last_version(conn: sqlite3.Connection, trial_id: str) -> int:
    return conn.execute(
        "SELECT max(version) FROM trial_versions WHERE trial_id = ?", (trial_id,)
    ).fetchone()[0]


def _check_conflict(current: Any, row: RecordRow, run_started: str | None) -> None:
    """Different content, same update date, and the stored version is from this run: the
    registry gives no way to tell which is newer, so the first one read stays."""
    if current is None or run_started is None or current[2] is None:
        return
    if current[2] == row.last_update_posted and current[3] >= run_started:
        raise VersionConflict(row.trial_id, current[2], current[0])


def version_known(conn: sqlite3.Connection, trial_id: str, digest: str) -> bool:
    """Is this exact content of the trial already stored (as any version)?"""
    return (
        conn.execute(
            "SELECT 1 FROM trial_versions WHERE trial_id = ? AND content_hash = ?",
            (trial_id, digest),
        ).fetchone()
        is not None
    )
