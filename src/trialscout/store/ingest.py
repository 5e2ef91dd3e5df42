"""Load records into the store: idempotent, transactional, and honest about what it rejected.

Records are written in batches (one transaction each, for speed); every record sits in its own
savepoint, so one bad record is rolled back alone and the good ones in the batch still load.
A process killed mid-run loses only its open batch; the run stays marked 'running' until the
next ingest marks it 'interrupted'.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from trialscout.registry.errors import RecordError
from trialscout.registry.model import Trial
from trialscout.registry.parallel import PrepareFailed
from trialscout.registry.sources import SourceRecord
from trialscout.store.db import Database, utcnow
from trialscout.store.trials import Outcome, write_trial

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


@dataclass(slots=True)
class IngestReport:
    run_id: int
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
        run_id = conn.execute(
            "INSERT INTO ingest_runs (started_at, sources) VALUES (?, ?)", (utcnow(), sources)
        ).lastrowid
    report = IngestReport(run_id=run_id)
    pending = 0
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        for rec in records:
            _ingest_one(db, rec, hooks, report)
            if on_record:
                on_record(rec)
            pending += 1
            if pending >= batch_size:
                db.conn.execute("COMMIT")
                db.conn.execute("BEGIN IMMEDIATE")
                pending = 0
        _finish(db.conn, report, "done")
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    return report


def _ingest_one(
    db: Database, rec: SourceRecord, hooks: list[IndexHook], report: IngestReport
) -> None:
    if rec.skipped is not None:
        report.skipped.append((rec.source, rec.skipped))
        return
    if rec.error is not None:
        _reject(db.conn, report, rec.error)
        return
    trial = rec.trial
    assert trial is not None
    try:
        with db.savepoint("rec") as conn:
            outcome, _ = write_trial(conn, trial, rec.source)
            if outcome in (Outcome.NEW, Outcome.CHANGED):
                for hook in hooks:
                    _run_hook(hook, conn, rec)
    except (ValueError, TypeError, KeyError, sqlite3.IntegrityError) as exc:
        _reject(
            db.conn,
            report,
            RecordError(rec.source, trial.trial_id, None, f"could not store: {exc}"),
        )
        return
    if outcome is Outcome.NEW:
        report.new += 1
    elif outcome is Outcome.CHANGED:
        report.changed += 1
    elif outcome is Outcome.OLDER:
        report.older += 1
    else:
        report.unchanged += 1


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
