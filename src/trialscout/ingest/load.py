"""Load records into the store: idempotent, transactional, and honest about what it rejected.

Records are written in batches (one transaction each, for speed). If any record of a batch
fails to store, the batch is replayed with every record in its own savepoint, so one bad record
is rolled back alone and the good ones in the batch still load.
A process killed mid-run loses only its open batch; the run stays marked 'running' until the
next ingest marks it 'interrupted'.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from trialscout.ingest.records import write_trial
from trialscout.registry.errors import RecordError
from trialscout.registry.model import Trial
from trialscout.registry.parallel import PrepareFailed
from trialscout.registry.sources import SourceRecord
from trialscout.store.db import Database, utcnow
from trialscout.store.records import Outcome, VersionConflict

# Called inside the record's savepoint after a new or changed version is written, so derived
# tables (full-text index, parsed criteria) change in the same transaction as the record.
# A hook may carry a pure `prepare(trial)` attribute: its CPU work can then run in a worker
# process (see registry.parallel) and the hook is called as `hook(conn, trial, payload)`.
IndexHook = Callable[..., None]


def hook_name(hook: IndexHook) -> str:
    return f"{hook.__module__}.{hook.__name__}"


def preparers(hooks: Iterable[IndexHook]) -> dict[str, Callable[[Trial], object]]:
    return {hook_name(h): h.prepare for h in hooks if hasattr(h, "prepare")}


def _run_hook(hook: IndexHook, conn: sqlite3.Connection, rec: SourceRecord) -> None:
    trial = rec.trial
    prepare = getattr(hook, "prepare", None)
    if prepare is None:
        hook(conn, trial)
        return
    name = hook_name(hook)
    payload = rec.prepared[name] if rec.prepared and name in rec.prepared else prepare(trial)
    if isinstance(payload, PrepareFailed):
        raise ValueError(f"{name}: {payload.message}")
    hook(conn, trial, payload)


BATCH_SIZE = 1000

# The prepared-payload name under which workers hand over a record's compressed canonical JSON
# and content hash (`ingest.records.encode`), so the single writer process does not compress.
ENCODED = "store.encode"


@dataclass(slots=True)
class IngestReport:
    run_id: int
    started_at: str = ""  # of this run: a second record of a trial in the same run may conflict
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    older: int = 0
    rejections: list[RecordError] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why): not registry data

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged + self.older + self.rejected

    def count(self, outcome: Outcome) -> None:
        field = {Outcome.NEW: "new", Outcome.CHANGED: "changed", Outcome.OLDER: "older"}
        name = field.get(outcome, "unchanged")
        setattr(self, name, getattr(self, name) + 1)

    def merge(self, other: IngestReport) -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.older += other.older
        self.rejections += other.rejections
        self.skipped += other.skipped

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "older": self.older,
            "rejected": self.rejected,
            "rejections": [
                {"source": r.source, "record": r.record, "field": r.field, "message": r.message}
                for r in self.rejections
            ],
            "skipped_files": [{"source": s, "reason": why} for s, why in self.skipped],
        }


# No error escapes a record: whatever storing one record raises (a value past SQLite's 64-bit
# integers, a derived-index bug) rejects that record, named, and the others load.
_STORE_ERRORS = (Exception,)


def ingest_records(
    db: Database,
    records: Iterable[SourceRecord],
    *,
    sources: str = "",
    hooks: Iterable[IndexHook] = (),
    on_record: Callable[[SourceRecord], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    hooks = list(hooks)
    with db.transaction() as conn:
        conn.execute("UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")
        started = utcnow()
        run_id = conn.execute(
            "INSERT INTO ingest_runs (started_at, sources) VALUES (?, ?)", (started, sources)
        ).lastrowid
    report = IngestReport(run_id=run_id, started_at=started)
    batch: list[SourceRecord] = []
    try:
        for rec in records:
            batch.append(rec)
            if on_record:
                on_record(rec)
            if len(batch) >= batch_size:
                _write_batch(db, batch, hooks, report, last=False)
                batch = []
        _write_batch(db, batch, hooks, report, last=True)
    except BaseException as exc:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        _mark_stopped(db, report, "failed" if isinstance(exc, Exception) else "interrupted")
        raise
    return report


def _mark_stopped(db: Database, report: IngestReport, status: str) -> None:
    """A run that stopped on an error is not left 'running' (only a killed process does that).
    If even that cannot be written, the original error is the one to see."""
    with contextlib.suppress(sqlite3.Error), db.transaction() as conn:
        _finish(conn, report, status)


def _write_batch(
    db: Database,
    batch: list[SourceRecord],
    hooks: list[IndexHook],
    report: IngestReport,
    last: bool,
) -> None:
    """One transaction. Optimistic first: no per-record savepoints, because FTS5 flushes its
    pending index at every savepoint (one tiny segment per record). Only if a record fails is
    the batch rolled back and replayed record by record, each in its own savepoint."""
    part = IngestReport(run_id=report.run_id, started_at=report.started_at)
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        for rec in batch:
            _ingest_one(db, rec, hooks, part, careful=False)
    except _STORE_ERRORS:
        db.conn.execute("ROLLBACK")
        db.conn.execute("BEGIN IMMEDIATE")
        part = IngestReport(run_id=report.run_id, started_at=report.started_at)
        for rec in batch:
            _ingest_one(db, rec, hooks, part, careful=True)
    report.merge(part)
    if last:
        _finish(db.conn, report, "done")
    db.conn.execute("COMMIT")


def _ingest_one(
    db: Database, rec: SourceRecord, hooks: list[IndexHook], report: IngestReport, careful: bool
) -> None:
    if rec.skipped is not None:
        report.skipped.append((rec.source, rec.skipped))
        return
    if rec.error is not None:
        _reject(db.conn, report, rec.error)
        return
    trial = rec.trial
    assert trial is not None
    if not careful:  # errors propagate: the caller replays the batch carefully
        outcome = _write(db.conn, rec, hooks, report.started_at)
    else:
        try:
            with db.savepoint("rec") as conn:
                outcome = _write(conn, rec, hooks, report.started_at)
        except sqlite3.OperationalError:
            raise  # the database itself (locked, disk full): not this record's fault
        except _STORE_ERRORS as exc:
            message = f"could not store: {type(exc).__name__}: {str(exc)[:300]}"
            if isinstance(exc, VersionConflict):
                message = str(exc)
            _reject(db.conn, report, RecordError(rec.source, trial.trial_id, None, message))
            return
    report.count(outcome)


def _write(
    conn: sqlite3.Connection, rec: SourceRecord, hooks: list[IndexHook], run_started: str
) -> Outcome:
    encoded = rec.prepared.get(ENCODED) if rec.prepared else None
    if not isinstance(encoded, tuple):  # not prepared in a worker (or preparing failed)
        encoded = None
    outcome, _ = write_trial(conn, rec.trial, rec.source, encoded, run_started=run_started or None)
    if outcome in (Outcome.NEW, Outcome.CHANGED):
        for hook in hooks:
            _run_hook(hook, conn, rec)
    return outcome


def _reject(conn: sqlite3.Connection, report: IngestReport, error: RecordError) -> None:
    report.rejections.append(error)
    conn.execute(
        "INSERT INTO ingest_rejections (run_id, source, record, field, message) VALUES (?,?,?,?,?)",
        (report.run_id, error.source, error.record, error.field, error.message),
    )


def _finish(conn: sqlite3.Connection, report: IngestReport, status: str) -> None:
    conn.execute(
        "UPDATE ingest_runs SET finished_at = ?, new = ?, changed = ?, unchanged = ?, "
        "rejected = ?, status = ? WHERE run_id = ?",
        (
            utcnow(),
            report.new,
            report.changed,
            report.unchanged,
            report.rejected,
            status,
            report.run_id,
        ),
    )
