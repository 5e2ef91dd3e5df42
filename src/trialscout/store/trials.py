"""Trials and their versions: write one record idempotently, read current or past versions."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from trialscout.registry.model import Trial
from trialscout.store.db import Database, utcnow


class TrialNotFound(LookupError):
    def __init__(self, trial_id: str) -> None:
        super().__init__(f"no trial {trial_id!r} in the database")
        self.trial_id = trial_id


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


@dataclass(slots=True, frozen=True)
class VersionInfo:
    trial_id: str
    version: int
    content_hash: str
    seen_at: str
    source: str | None


@dataclass(slots=True, frozen=True)
class TrialRecord:
    """A stored trial with its bookkeeping."""

    trial: Trial
    version: int
    content_hash: str
    first_seen: str
    last_changed: str


def encode(trial: Trial) -> tuple[bytes, str]:
    """(compressed canonical JSON, content hash)."""
    raw = trial.to_json()
    return zlib.compress(raw, 1), hashlib.sha256(raw).hexdigest()


def decode(blob: bytes) -> dict[str, Any]:
    return orjson.loads(zlib.decompress(blob))


_SUMMARY_COLUMNS = (
    "nct_id, title, overall_status, study_type, phases, sex, min_age_years, max_age_years, "
    "healthy_volunteers, has_results, enrollment, start_date, last_update_posted"
)


def _summary(trial: Trial) -> tuple[Any, ...]:
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
    """Store `trial` unless its content equals the current version. Returns (outcome, version).
    `encoded` is `encode(trial)` when already computed (e.g. by an ingest worker). With
    `run_started`, a same-date, different-content record of a trial already written since then
    raises `VersionConflict`."""
    blob, digest = encoded or encode(trial)
    row = conn.execute(
        "SELECT version, content_hash, last_update_posted, last_changed FROM trials "
        "WHERE trial_id = ?",
        (trial.trial_id,),
    ).fetchone()
    if row is not None and row[1] == digest:
        return Outcome.UNCHANGED, row[0]
    if (
        row is not None
        and conn.execute(
            "SELECT 1 FROM trial_versions WHERE trial_id = ? AND content_hash = ?",
            (trial.trial_id, digest),
        ).fetchone()
    ):
        # An earlier version seen again (registry versions carry their update date, so equal
        # content means the same version): already stored, and it must not become current.
        return Outcome.UNCHANGED, row[0]
    _check_conflict(row, trial, run_started)
    now = utcnow()
    last_version = (
        1
        if row is None
        else conn.execute(
            "SELECT max(version) FROM trial_versions WHERE trial_id = ?", (trial.trial_id,)
        ).fetchone()[0]
    )
    version = 1 if row is None else last_version + 1
    conn.execute(
        "INSERT INTO trial_versions (trial_id, version, content_hash, seen_at, source, data) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (trial.trial_id, version, digest, now, source, blob),
    )
    if row is None:
        conn.execute(
            f"INSERT INTO trials (trial_id, version, content_hash, first_seen, last_changed, "
            f"{_SUMMARY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (trial.trial_id, version, digest, now, now, *_summary(trial)),
        )
        return Outcome.NEW, version
    if row[2] and trial.last_update_posted and trial.last_update_posted < row[2]:
        return Outcome.OLDER, version
    sets = ", ".join(f"{c.strip()} = ?" for c in _SUMMARY_COLUMNS.split(","))
    conn.execute(
        f"UPDATE trials SET version = ?, content_hash = ?, last_changed = ?, {sets} "
        "WHERE trial_id = ?",
        (version, digest, now, *_summary(trial), trial.trial_id),
    )
    return Outcome.CHANGED, version


def _check_conflict(row: Any, trial: Trial, run_started: str | None) -> None:
    """Different content, same update date, and the stored version is from this run: the
    registry gives no way to tell which is newer, so the first one read stays."""
    if row is None or run_started is None or row[2] is None:
        return
    if row[2] == trial.last_update_posted and row[3] >= run_started:
        raise VersionConflict(trial.trial_id, row[2], row[0])


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
        return (
            self._db.conn.execute(
                "SELECT 1 FROM trial_versions WHERE trial_id = ? AND content_hash = ?",
                (trial.trial_id, trial.content_hash()),
            ).fetchone()
            is not None
        )


class TrialStore:
    """Read side of the trials tables (writes go through `write_trial` inside a transaction)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def resolve_id(self, trial_id: str) -> str:
        """Accept any case and surrounding spaces; NCT IDs and other registry IDs alike."""
        text = trial_id.strip()
        conn = self.db.conn
        row = conn.execute("SELECT trial_id FROM trials WHERE trial_id = ?", (text,)).fetchone()
        if row is None:
            row = conn.execute(
                "SELECT trial_id FROM trials WHERE upper(trial_id) = upper(?) LIMIT 1", (text,)
            ).fetchone()
        if row is None:
            raise TrialNotFound(text)
        return row[0]

    def get(self, trial_id: str) -> TrialRecord:
        tid = self.resolve_id(trial_id)
        row = self.db.conn.execute(
            "SELECT t.version, t.content_hash, t.first_seen, t.last_changed, v.data "
            "FROM trials t JOIN trial_versions v ON v.trial_id = t.trial_id AND v.version = t.version "
            "WHERE t.trial_id = ?",
            (tid,),
        ).fetchone()
        return TrialRecord(Trial.from_dict(decode(row[4])), row[0], row[1], row[2], row[3])

    def get_many(self, trial_ids: list[str]) -> dict[str, Trial]:
        if not trial_ids:
            return {}
        marks = ",".join("?" * len(trial_ids))
        rows = self.db.conn.execute(
            "SELECT t.trial_id, v.data FROM trials t JOIN trial_versions v "
            "ON v.trial_id = t.trial_id AND v.version = t.version "
            f"WHERE t.trial_id IN ({marks})",
            trial_ids,
        )
        return {r[0]: Trial.from_dict(decode(r[1])) for r in rows}

    def versions(self, trial_id: str) -> list[VersionInfo]:
        tid = self.resolve_id(trial_id)
        rows = self.db.conn.execute(
            "SELECT trial_id, version, content_hash, seen_at, source FROM trial_versions "
            "WHERE trial_id = ? ORDER BY version",
            (tid,),
        )
        return [VersionInfo(*r) for r in rows]

    def version_data(self, trial_id: str, version: int) -> dict[str, Any]:
        tid = self.resolve_id(trial_id)
        row = self.db.conn.execute(
            "SELECT data FROM trial_versions WHERE trial_id = ? AND version = ?", (tid, version)
        ).fetchone()
        if row is None:
            raise TrialNotFound(f"{tid} version {version}")
        return decode(row[0])

    def version_changes(self, trial_id: str) -> list[dict[str, Any]]:
        """What changed between each stored version and the next (field-level)."""
        from trialscout.store.diff import diff_trials

        history = self.versions(trial_id)
        out = []
        for older, newer in zip(history, history[1:], strict=False):
            diff = diff_trials(
                self.version_data(older.trial_id, older.version),
                self.version_data(newer.trial_id, newer.version),
            )
            out.append(
                {
                    "from": older.version,
                    "to": newer.version,
                    "seen_at": newer.seen_at,
                    "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in diff],
                }
            )
        return out

    def iter_trials(self, batch: int = 500):
        """Every current trial, streamed (for indexing and benchmarks)."""
        cur = self.db.conn.execute(
            "SELECT v.data FROM trials t JOIN trial_versions v "
            "ON v.trial_id = t.trial_id AND v.version = t.version ORDER BY t.trial_id"
        )
        while rows := cur.fetchmany(batch):
            for r in rows:
                yield Trial.from_dict(decode(r[0]))

    def count(self) -> int:
        return self.db.conn.execute("SELECT count(*) FROM trials").fetchone()[0]

    def stats(self) -> dict[str, Any]:
        conn = self.db.conn
        trials = self.count()
        versions = conn.execute("SELECT count(*) FROM trial_versions").fetchone()[0]

        def by(column: str) -> dict[str, int]:
            rows = conn.execute(
                f"SELECT coalesce({column}, 'UNKNOWN'), count(*) FROM trials "
                f"GROUP BY 1 ORDER BY 2 DESC"
            )
            return {r[0]: r[1] for r in rows}

        last = conn.execute(
            "SELECT run_id, started_at, finished_at, new, changed, unchanged, rejected, status "
            "FROM ingest_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
        return {
            "trials": trials,
            "versions": versions,
            "with_results": conn.execute(
                "SELECT count(*) FROM trials WHERE has_results"
            ).fetchone()[0],
            "by_status": by("overall_status"),
            "by_study_type": by("study_type"),
            "by_phase": by("phases"),
            "database": self.db.path,
            "database_bytes": self.db.size_bytes(),
            "last_ingest": dict(last) if last else None,
        }
