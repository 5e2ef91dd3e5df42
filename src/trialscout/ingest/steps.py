"""Derived indexes as explicit, restartable index steps (issue 13).

Records are stored first (fast, see `load`); each index step then brings its index up to date
with the stored trials: it finds the trials whose current version it has not indexed yet
(`index_done`), prepares them in worker processes (pure CPU: decode the stored record, build
the index payload) and writes the payloads in the main process, one transaction per batch
together with the batch's `index_done` marks. A run killed half-way resumes where it stopped;
a trial whose version did not change is never prepared again; a new step version (e.g. a new
criteria parser) redoes its whole index.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from trialscout.registry.model import Trial
from trialscout.store.db import Database, utcnow
from trialscout.store.trials import decode

PAGE = 1024  # trials read, prepared and written per transaction
CHUNK = 128  # trials per worker task


@dataclass(frozen=True, slots=True)
class IndexStep:
    """`prepare(trial) -> payload` is pure and runs in a worker; `write(conn, trial_id,
    version, trial, payload)` runs in the main process inside the batch's transaction."""

    name: str
    version: str
    prepare: Callable[[Trial], Any]
    write: Callable[[sqlite3.Connection, str, int, Trial | None, Any], None]
    needs_trial: bool = False  # does `write` read the Trial (else it is not sent back)?
    # optional, for an index outside SQLite (search.fulltext): `begin(conn)` before a run (in
    # a transaction), `flush(conn)` after a page's writes and before its marks are committed,
    # `close(conn)` after the run
    begin: Callable[[sqlite3.Connection], None] | None = None
    flush: Callable[[sqlite3.Connection], None] | None = None
    close: Callable[[sqlite3.Connection], None] | None = None


Progress = Callable[[str, int, int], None]  # (step name, done, total)


@dataclass(slots=True)
class StepReport:
    name: str
    indexed: int = 0
    failed: int = 0
    seconds: float = 0.0


def pending_count(conn: sqlite3.Connection, step: IndexStep) -> int:
    return conn.execute(
        "SELECT count(*) FROM trials t LEFT JOIN index_done d ON d.step = ? AND "
        "d.trial_id = t.trial_id WHERE d.trial_id IS NULL OR d.version != t.version "
        "OR d.step_version != ?",
        (step.name, step.version),
    ).fetchone()[0]


def _pending_page(conn: sqlite3.Connection, step: IndexStep, after: int) -> list[tuple]:
    """The next pending trials in rowid order, with their stored record."""
    cur = conn.execute(
        "SELECT t.rowid, t.trial_id, t.version, v.data FROM trials t "
        "LEFT JOIN index_done d ON d.step = ? AND d.trial_id = t.trial_id "
        "JOIN trial_versions v ON v.trial_id = t.trial_id AND v.version = t.version "
        "WHERE t.rowid > ? AND (d.trial_id IS NULL OR d.version != t.version "
        "OR d.step_version != ?) ORDER BY t.rowid LIMIT ?",
        (step.name, after, step.version, PAGE),
    )
    return [tuple(r) for r in cur]  # plain tuples travel to the workers


def prepare_chunk(step: IndexStep, rows: list[tuple]) -> list[tuple]:
    """Worker side: (trial_id, version, trial or None, payload, error message or None)."""
    out = []
    for _, trial_id, version, blob in rows:
        try:
            trial = Trial.from_dict(decode(blob))
            payload = step.prepare(trial)
            out.append((trial_id, version, trial if step.needs_trial else None, payload, None))
        except Exception as exc:  # noqa: BLE001 - one record's failure is reported, not fatal
            out.append((trial_id, version, None, None, f"{type(exc).__name__}: {exc}"))
    return out


_WRITE_ERRORS = (ValueError, TypeError, KeyError, sqlite3.IntegrityError)


def _write_page(db: Database, step: IndexStep, results: list[tuple], report: StepReport) -> None:
    """One transaction per page. Optimistic: no per-record savepoints (FTS5 flushes its pending
    terms at each one, leaving one tiny segment per trial); if a write fails, the page is
    rolled back and replayed with each trial in its own savepoint, the failure recorded."""
    try:
        with db.transaction() as conn:
            _write_all(db, conn, step, results, report, careful=False)
    except _WRITE_ERRORS:
        with db.transaction() as conn:
            _write_all(db, conn, step, results, report, careful=True)


def _write_all(db, conn, step: IndexStep, results: list[tuple], report, careful: bool) -> None:
    done, indexed = [], 0
    for trial_id, version, trial, payload, error in results:
        if error is None and not careful:
            step.write(conn, trial_id, version, trial, payload)
        elif error is None:
            try:
                with db.savepoint("idx"):
                    step.write(conn, trial_id, version, trial, payload)
            except _WRITE_ERRORS as exc:
                error = f"{type(exc).__name__}: {exc}"
        indexed += error is None
        done.append((step.name, trial_id, version, step.version, error))
    if step.flush:
        step.flush(conn)
    conn.executemany(
        "INSERT OR REPLACE INTO index_done (step, trial_id, version, step_version, error) "
        "VALUES (?, ?, ?, ?, ?)",
        done,
    )
    _set_progress(conn, step, pending_delta=-len(done))
    report.indexed += indexed
    report.failed += len(done) - indexed


def set_pending(conn: sqlite3.Connection, step: IndexStep) -> int:
    """Record how many trials the step has still to do (what search reports)."""
    total = pending_count(conn, step)
    _set_progress(conn, step, pending=total)
    return total


def _set_progress(conn: sqlite3.Connection, step: IndexStep, pending_delta: int = 0, pending=None):
    """updated_at is when the step last did work: a run with nothing to do keeps it."""
    if pending is not None:
        conn.execute(
            "INSERT INTO index_progress (step, pending, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (step) DO UPDATE SET pending = excluded.pending, "
            "updated_at = excluded.updated_at WHERE pending != excluded.pending",
            (step.name, pending, utcnow()),
        )
    elif pending_delta:
        conn.execute(
            "UPDATE index_progress SET pending = max(0, pending + ?), updated_at = ? WHERE step = ?",
            (pending_delta, utcnow(), step.name),
        )


def _pages(db: Database, step: IndexStep) -> Iterator[list[tuple]]:
    after = 0
    while rows := _pending_page(db.conn, step, after):
        after = rows[-1][0]
        yield rows


def run_step(
    db: Database, step: IndexStep, *, workers: int = 2, progress: Progress | None = None
) -> StepReport:
    """Bring one index up to date; restartable (see the module docstring)."""
    import time

    started = time.perf_counter()
    report = StepReport(step.name)
    with db.transaction() as conn:
        if step.begin:
            step.begin(conn)
        total = set_pending(conn, step)
    if progress:
        progress(step.name, 0, total)
    done = 0
    try:
        for results in _prepared(db, step, workers):
            _write_page(db, step, results, report)
            done += len(results)
            if progress:
                progress(step.name, done, total)
    finally:
        if step.close:
            step.close(db.conn)
    report.seconds = time.perf_counter() - started
    return report


def _prepared(db: Database, step: IndexStep, workers: int) -> Iterator[list[tuple]]:
    """Prepared pages in order; with workers, the next pages are prepared while this one is
    written (at most `workers * 2` pages in flight, so memory stays flat)."""
    if workers <= 1:
        for rows in _pages(db, step):
            yield prepare_chunk(step, rows)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        flight: deque = deque()
        for rows in _pages(db, step):
            chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
            flight.append([pool.apply_async(prepare_chunk, (step, c)) for c in chunks])
            if len(flight) >= workers * 2:
                yield [r for part in flight.popleft() for r in part.get()]
        while flight:
            yield [r for part in flight.popleft() for r in part.get()]
