"""The tantivy full-text index kept beside the SQLite store (issue 13).

SQLite stays the store; this index holds what search needs to rank, filter and count without
touching SQLite per match: the seven weighted text fields (not stored, only indexed) and the
filter/facet values as fast fields. It lives in `<database file>.tantivy/` (a RAM index for
`:memory:` databases) and is written by ingest's `fulltext` index step: per page, documents are
replaced by `doc_id` (= trials.rowid), the tantivy commit comes first and the step's marks
after, so a run killed in between redoes the page and replacing by id keeps it idempotent.

A missing index directory, or one whose document count differs from the step's marks (e.g. a
database file copied without its index), is rebuilt from the stored trials: by the step's
`begin` at the next ingest, or by the first search of a process (`reader`).
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from trialscout.registry.model import Trial
from trialscout.search.errors import SearchError
from trialscout.search.facets import AGE_GROUPS, _age_bits, _phase_list
from trialscout.search.geo import country_key, key
from trialscout.search.index import document
from trialscout.search.ranking import COLUMNS

STEP = "fulltext"
VERSION = "2"  # the step's version: a new one rebuilds the index (schema or text changes)
KEYWORDS = ("status", "phases", "study_type", "sex", "has_results", "age_group", "country", "city")
NO_MIN_AGE, NO_MAX_AGE = -1.0, 1000.0  # unknown age limits admit everyone
WRITER_HEAP = 200_000_000


class IndexMissing(SearchError):
    """The full-text index is missing or out of step with the database."""


def schema() -> Any:
    sb = tantivy.SchemaBuilder()
    for name in COLUMNS:
        sb.add_text_field(name, tokenizer_name="en_stem")
    sb.add_integer_field("doc_id", indexed=True, fast=True)  # i64: delete by term needs it
    for name in KEYWORDS:
        sb.add_text_field(name, fast=True, tokenizer_name="raw")
    for name in ("min_age", "max_age", "lat", "lon"):
        sb.add_float_field(name, indexed=True, fast=True)
    sb.add_integer_field("healthy", indexed=True, fast=True)
    sb.add_integer_field("unplaced", indexed=True, fast=True)  # a site without a geo point
    sb.add_integer_field("last_update", indexed=True, fast=True)
    return sb.build()


def _date_number(value: str | None) -> int:
    """'2023-05-01' -> 20230501 (0 when unknown): sortable as a fast field."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())[:8]
    return int(digits.ljust(8, "0")) if digits else 0


def prepare(trial: Trial) -> dict:
    """The document's values, pure (runs in an ingest worker)."""
    e = trial.eligibility
    bits = _age_bits(e.min_age_years, e.max_age_years)
    points = [(loc.lat, loc.lon) for loc in trial.locations if loc.lat is not None]
    return {
        "text": document(trial),
        "status": [trial.overall_status or "UNKNOWN"],
        "phases": _phase_list(",".join(trial.phases) or None),
        "study_type": [trial.study_type or "UNKNOWN"],
        "sex": [e.sex or "UNKNOWN"],
        "has_results": ["yes" if trial.has_results else "no"],
        "age_group": [g for i, (g, _, _) in enumerate(AGE_GROUPS) if bits & (1 << i)],
        "country": sorted({country_key(loc.country) for loc in trial.locations} - {""}),
        "city": sorted({key(loc.city) for loc in trial.locations} - {""}),
        "min_age": NO_MIN_AGE if e.min_age_years is None else float(e.min_age_years),
        "max_age": NO_MAX_AGE if e.max_age_years is None else float(e.max_age_years),
        "healthy": int(bool(e.healthy_volunteers)),
        "last_update": _date_number(trial.last_update_posted),
        "points": points,
        "unplaced": int(len(points) < len(trial.locations)),
    }


def to_document(doc_id: int, p: dict) -> Any:
    doc = tantivy.Document()
    doc.add_integer("doc_id", doc_id)
    for name, text in zip(COLUMNS, p["text"], strict=True):
        if text:
            doc.add_text(name, text)
    for name in KEYWORDS:
        for value in p[name]:
            doc.add_text(name, value)
    for name in ("min_age", "max_age"):
        doc.add_float(name, p[name])
    for lat, lon in p["points"]:
        doc.add_float("lat", float(lat))
        doc.add_float("lon", float(lon))
    doc.add_integer("healthy", p["healthy"])
    doc.add_integer("unplaced", p["unplaced"])
    doc.add_integer("last_update", p["last_update"])
    return doc


@dataclass
class Handle:
    """One open index per database file per process (tantivy allows one writer per index)."""

    index: Any
    path: Path | None
    created: bool  # the directory did not exist when opened
    writer: Any = None
    dirty: bool = False  # documents added but not committed (the per-record hook path)
    checked: bool = False  # compared with the step's marks once (see `reader`)
    seen: dict = field(default_factory=dict)  # id(conn) -> the SQLite data_version last seen
    lock: threading.Lock = field(default_factory=threading.Lock)

    def searcher(self) -> Any:
        return self.index.searcher()


_HANDLES: dict[Any, tuple[sqlite3.Connection, Handle]] = {}
_OPEN_LOCK = threading.Lock()


def index_dir(db_path: str) -> Path:
    """`trials.db` -> `trials.db.tantivy/`."""
    return Path(db_path + ".tantivy")


def _key(conn: sqlite3.Connection) -> tuple:
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    return ("file", str(Path(path).resolve())) if path else ("memory", id(conn))


def handle(conn: sqlite3.Connection) -> Handle:
    """The open index of this connection's database (opened or created on first use)."""
    with _OPEN_LOCK:
        k = _key(conn)
        hit = _HANDLES.get(k)
        if hit is not None and (k[0] == "file" or hit[0] is conn):
            return hit[1]
        if k[0] == "memory":
            h = Handle(tantivy.Index(schema()), None, created=True)
        else:
            path = index_dir(k[1])
            stamp = path / "trialscout-version"
            if (path / "meta.json").exists() and (
                not stamp.exists() or stamp.read_text() != VERSION
            ):  # written by another version (another schema): start over
                shutil.rmtree(path)
            created = not (path / "meta.json").exists()
            path.mkdir(parents=True, exist_ok=True)
            stamp.write_text(VERSION)
            h = Handle(tantivy.Index(schema(), path=str(path), reuse=True), path, created)
        _HANDLES[k] = (conn, h)
        return h


def forget(conn: sqlite3.Connection) -> None:
    """Drop this database's open index (tests that delete the directory)."""
    with _OPEN_LOCK:
        _HANDLES.pop(_key(conn), None)


def marked_done(conn: sqlite3.Connection) -> int:
    return conn.execute(
        "SELECT count(*) FROM index_done WHERE step = ? AND error IS NULL", (STEP,)
    ).fetchone()[0]


def in_step(conn: sqlite3.Connection, h: Handle) -> bool:
    """Does the index hold exactly the documents the step's marks say it does?"""
    h.index.reload()
    return h.searcher().num_docs == marked_done(conn)


# --- the index step's hooks (see ingest.derived) -----------------------------------------


def begin(conn: sqlite3.Connection) -> None:
    """Before a step run: an index out of step with the marks is rebuilt from scratch."""
    h = handle(conn)
    if h.created or not in_step(conn, h):
        if h.path is not None and not h.created:
            forget(conn)
            shutil.rmtree(h.path, ignore_errors=True)
            h = handle(conn)
        conn.execute("DELETE FROM index_done WHERE step = ?", (STEP,))
    h.created = False


def write(conn: sqlite3.Connection, trial_id: str, version: int, trial, payload: dict) -> None:
    """Replace the trial's document (delete by doc_id, add): idempotent when a page is redone."""
    row = conn.execute("SELECT rowid FROM trials WHERE trial_id = ?", (trial_id,)).fetchone()
    if row is None:
        raise KeyError(f"{trial_id}: not stored")
    h = handle(conn)
    if h.writer is None:
        h.writer = h.index.writer(heap_size=WRITER_HEAP, num_threads=1)
    h.writer.delete_documents_by_term("doc_id", row[0])
    h.writer.add_document(to_document(row[0], payload))
    h.dirty = True


def write_hooked(conn: sqlite3.Connection, trial: Trial) -> None:
    """The per-record ingest hook's part (`search.index.index_trial`): the document, and the
    step's mark in the record's transaction; committed at the next search or step run."""
    version = conn.execute(
        "SELECT version FROM trials WHERE trial_id = ?", (trial.trial_id,)
    ).fetchone()
    write(conn, trial.trial_id, version[0], trial, prepare(trial))
    conn.execute(
        "INSERT OR REPLACE INTO index_done (step, trial_id, version, step_version, error) "
        "VALUES (?, ?, ?, ?, NULL)",
        (STEP, trial.trial_id, version[0], VERSION),
    )
    handle(conn).created = False


def clear(conn: sqlite3.Connection) -> None:
    """Delete every document (a full rebuild follows)."""
    h = handle(conn)
    if h.writer is None:
        h.writer = h.index.writer(heap_size=WRITER_HEAP, num_threads=1)
    h.writer.delete_all_documents()
    h.dirty = True
    conn.execute("DELETE FROM index_done WHERE step = ?", (STEP,))


def flush(conn: sqlite3.Connection) -> None:
    """Commit the page's documents; runs before the step's marks are committed."""
    h = handle(conn)
    if h.writer is not None:
        h.writer.commit()
        h.dirty = False


def close(conn: sqlite3.Connection) -> None:
    """After a step run: commit, wait for merges, release the writer's lock."""
    h = handle(conn)
    if h.writer is not None:
        writer, h.writer = h.writer, None
        writer.commit()
        writer.wait_merging_threads()
    h.dirty = False
    h.index.reload()


# --- readers ----------------------------------------------------------------------------


def reader(conn: sqlite3.Connection) -> Handle:
    """The index for searching, complete: one missing or out of step with the step's marks
    (e.g. a database file copied without its index) is rebuilt here from the stored trials,
    once per process (~2 s per 1,000 trials); while an ingest is indexing, search uses what is
    committed and `notes` says how much is missing."""
    h = handle(conn)
    if h.dirty:
        with h.lock:
            if h.dirty:
                flush(conn)
                h.index.reload()
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    if h.seen.get(id(conn)) != version:  # another process committed: its tantivy commit came
        h.seen[id(conn)] = version  # first, so reload now rather than on tantivy's own delay
        h.index.reload()
    if not h.checked:
        with h.lock:
            if not h.checked:
                if h.created or (not _pending(conn) and not in_step(conn, h)):
                    rebuild(conn, h)
                h.checked = True
    return h


def _pending(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT pending FROM index_progress WHERE step = ?", (STEP,)).fetchone()
    return row[0] if row else 0


def rebuild(conn: sqlite3.Connection, h: Handle) -> int:
    """The document of every trial the search step has indexed (a trial only stored is not
    searchable yet), and the fulltext step's marks (what the step would do)."""
    from trialscout.store.trials import decode

    try:
        writer = h.index.writer(heap_size=WRITER_HEAP, num_threads=1)
    except ValueError as exc:  # another process holds the writer: it is building the index
        raise IndexMissing(f"full-text index {h.path} is being built: try again ({exc})") from None
    writer.delete_all_documents()
    marks, last = [], 0
    while rows := conn.execute(
        "SELECT t.rowid, t.trial_id, t.version, v.data FROM trials t JOIN trial_versions v "
        "ON v.trial_id = t.trial_id AND v.version = t.version "
        "JOIN search_docs d ON d.doc_id = t.rowid WHERE t.rowid > ? "
        "ORDER BY t.rowid LIMIT 1000", (last,)).fetchall():  # fmt: skip
        for doc_id, trial_id, version, blob in rows:
            try:
                writer.add_document(to_document(doc_id, prepare(Trial.from_dict(decode(blob)))))
                marks.append((STEP, trial_id, version, VERSION))
            except (ValueError, TypeError, KeyError):  # reported by the ingest step's run
                continue
        last = rows[-1][0]
    writer.commit()
    writer.wait_merging_threads()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM index_done WHERE step = ?", (STEP,))
        conn.executemany("INSERT INTO index_done (step, trial_id, version, step_version, error) "
                         "VALUES (?, ?, ?, ?, NULL)", marks)  # fmt: skip
        conn.execute("COMMIT")
    except sqlite3.Error:
        conn.execute("ROLLBACK")
        raise
    h.index.reload()
    h.created = False
    return len(marks)


def size_bytes(h: Handle) -> int:
    if h.path is None:
        return 0
    return sum(p.stat().st_size for p in h.path.rglob("*") if p.is_file())
