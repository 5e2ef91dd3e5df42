"""Ingest throughput, time to searchable and to fully indexed, peak memory and size per trial.

On a corpus of --n varied API v2 records (bench/corpus.py, deterministic from --seed), each
phase in a fresh process (so peak RSS is that phase's own), next to two references measured in
the same run on the same file:
- parse limit: read the file and JSON-parse every record (nothing else);
- bare insert: read the file and insert each raw line, zlib-compressed, into a fresh SQLite
  table, 1,000 per transaction (what "just storing the records" costs).
trialscout: store (records converted in --workers processes, stored first) -> search step (now
searchable) -> criteria step (now fully indexed). With --zip the corpus is the registry's bulk
zip format (one JSON file per study) instead of JSON Lines.

    nice python bench/ingest_throughput.py [--n 100000] [--workers 2] [--zip]
    nice python bench/ingest_throughput.py --from-db ingest.db --corpus corpus.zip

--from-db reads the phases of a `trialscout ingest` run (the CLI, end to end) from its
database: storing ends at the run's finish time, "searchable" at the search step's last page,
"fully indexed" at the criteria step's last page.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _rss_mb() -> int:
    """Peak RSS; includes database pages SQLite memory-maps (file-backed, reclaimable)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


ANON_PEAK = [0]


def _anon_mb() -> int:
    """Current anonymous memory (heap: what grows if memory is not flat), also kept as a peak."""
    try:
        with open("/proc/self/status") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("RssAnon:"))
    except (OSError, StopIteration):
        return 0
    ANON_PEAK[0] = max(ANON_PEAK[0], kb // 1024)
    return kb // 1024


def _lines(path: Path):
    if path.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield z.read(name)
        return
    with path.open("rb") as f:
        yield from f


def phase_parse(corpus: Path, _db: Path, _workers: int) -> dict:
    import orjson

    n = sum(1 for line in _lines(corpus) if orjson.loads(line))
    return {"records": n}


def phase_bare(corpus: Path, db: Path, _workers: int) -> dict:
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
    batch, n = [], 0
    for line in _lines(corpus):
        batch.append((zlib.compress(line, 1),))
        if len(batch) == 1000:
            conn.executemany("INSERT INTO raw (data) VALUES (?)", batch)
            n += len(batch)
            batch = []
    conn.executemany("INSERT INTO raw (data) VALUES (?)", batch)
    conn.close()
    return {"records": n + len(batch)}


def phase_store(corpus: Path, db_path: Path, workers: int) -> dict:
    from trialscout.ingest import pipeline
    from trialscout.ingest.load import ingest_records
    from trialscout.store.db import Database

    db = Database(db_path)
    rss: list[int] = []
    count = 0

    def tick(_record) -> None:
        nonlocal count
        count += 1
        if count % 25_000 == 0:
            rss.append(_anon_mb())

    records = pipeline.read_for_ingest([str(corpus)], workers)
    hooks = pipeline._load(pipeline.LOAD_HOOKS)
    report = ingest_records(db, records, sources=str(corpus), hooks=hooks, on_record=tick)
    return {"records": report.total, "new": report.new, "rejected": report.rejected,
            "rss_mb_every_25k": rss}  # fmt: skip


def phase_step(name: str):
    def run(_corpus: Path, db_path: Path, workers: int) -> dict:
        from trialscout.ingest import derived, pipeline
        from trialscout.ingest.steps import run_step
        from trialscout.store.db import Database

        db = Database(db_path)
        tick = lambda *_: _anon_mb()  # noqa: E731 - sampled once per page
        if name == "search":
            report = run_step(db, derived.SEARCH, workers=workers, progress=tick)
            for after in pipeline._load(pipeline.AFTER_INGEST):
                after(db)
        else:
            report = run_step(db, derived.criteria_step(), workers=workers, progress=tick)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {"records": report.indexed, "failed": report.failed}

    return run


PHASES = {
    "parse": phase_parse,
    "bare": phase_bare,
    "store": phase_store,
    "search": phase_step("search"),
    "criteria": phase_step("criteria"),
}


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the worker pools): on a shared
    machine, what a phase costs regardless of how much of the CPU it was given."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_phase(name: str, corpus: Path, db: Path, workers: int) -> dict:
    t0, c0 = time.perf_counter(), _cpu_s()
    out = PHASES[name](corpus, db, workers)
    out["seconds"] = round(time.perf_counter() - t0, 2)
    out["cpu_s"] = round(_cpu_s() - c0, 2)
    out["peak_rss_mb"] = _rss_mb()
    out["peak_anon_mb"] = max(ANON_PEAK[0], _anon_mb())
    return out


def _sub(name: str, corpus: Path, db: Path, workers: int) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, str(corpus), str(db), str(workers)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _size(db: Path) -> tuple[int, int, int]:
    """(trials, database bytes, full-text index bytes: the tantivy folder beside it)."""
    from trialscout.search.fulltext import index_dir
    from trialscout.store.db import Database

    with Database(db) as d:
        trials = d.conn.execute("SELECT count(*) FROM trials").fetchone()[0]
    folder = index_dir(str(db))
    fts = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
    return trials, db.stat().st_size, fts


def _stamp(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp()


def phases_of_run(db_path: Path) -> dict:
    """Seconds from the start of the database's first ingest run to the end of storing, of the
    search and fulltext steps' last pages (searchable: search needs both) and of the criteria
    step's last page (fully indexed)."""
    from trialscout.store.db import Database

    with Database(db_path) as d:
        started, finished, new, rejected = d.conn.execute(
            "SELECT started_at, finished_at, new, rejected FROM ingest_runs ORDER BY run_id LIMIT 1"
        ).fetchone()
        steps = dict(d.conn.execute("SELECT step, updated_at FROM index_progress"))
    t0 = _stamp(started)
    return {"new": new, "rejected": rejected, "stored_s": _stamp(finished) - t0,
            "searchable_s": max(_stamp(steps[k]) for k in ("search", "fulltext")) - t0,
            "indexed_s": _stamp(steps["criteria"]) - t0}  # fmt: skip


def from_db(db_path: Path, corpus: Path | None) -> None:
    """A `trialscout ingest` run's phases, with the references on the same file when given."""
    run = phases_of_run(db_path)
    n = run["new"] + run["rejected"]
    if corpus is not None:
        with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
            for name in ("parse", "bare"):
                r = _sub(name, corpus, Path(tmp) / f"{name}.db", 1)
                print(f"{name:<10} {r['seconds']:>8.1f} s  {n / r['seconds']:>8,.0f} rec/s  "
                      f"peak RSS {r['peak_rss_mb']} MB")  # fmt: skip
    prev = 0.0
    for key, label in (("stored_s", "stored"), ("searchable_s", "searchable"),
                       ("indexed_s", "fully indexed")):  # fmt: skip
        t = run[key]
        print(f"{label:<14} at {t:>8.1f} s = {n / t:>6,.0f} rec/s cumulative "
              f"(phase {t - prev:.1f} s = {n / (t - prev):,.0f} rec/s)")  # fmt: skip
        prev = t
    trials, size, fts = _size(db_path)
    print(f"{n:,} records ({run['rejected']} rejected); database {size / 1e6:,.0f} MB for "
          f"{trials:,} trials = {size / 1024 / max(trials, 1):.1f} KB per trial "
          f"(full-text index {fts / 1e6:,.0f} MB)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data"
    )
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--zip", action="store_true", help="bulk-zip corpus instead of JSON Lines")
    ap.add_argument("--phase", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument(
        "--phases",
        default="parse,bare,store,search,criteria",
        help="which phases to run (the index steps need the store phase)",
    )
    ap.add_argument(
        "--from-db",
        type=Path,
        help="report the phases of a `trialscout ingest` run from its database (timestamps), "
        "next to the parse limit and bare insert of --corpus",
    )
    ap.add_argument("--corpus", type=Path, help="with --from-db: the file that run ingested")
    args = ap.parse_args()
    if args.phase:
        name, corpus, db, workers = args.phase
        print(json.dumps(run_phase(name, Path(corpus), Path(db), int(workers))))
        return
    if args.from_db:
        from_db(args.from_db, args.corpus)
        return
    from corpus import cached_corpus

    corpus = cached_corpus(args.shared, args.n, args.seed, ".zip" if args.zip else ".jsonl")
    print(f"corpus: {args.n:,} records, {corpus.stat().st_size / 1e6:,.0f} MB ({corpus.name}); "
          f"{args.workers} workers")  # fmt: skip
    results = {}
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        db = Path(tmp) / "ingest.db"
        wanted = args.phases.split(",")
        for name in ("parse", "bare"):
            if name in wanted:
                results[name] = _sub(name, corpus, Path(tmp) / f"{name}.db", args.workers)
        elapsed = 0.0
        for name in ("store", "search", "criteria"):
            if name not in wanted:
                continue
            r = results[name] = _sub(name, corpus, db, args.workers)
            elapsed += r["seconds"]
            r["cumulative_s"] = round(elapsed, 1)
        trials, size, fts = _size(db)
    n = args.n
    for name, label in (("parse", "parse limit (read + JSON parse)"),
                        ("bare", "bare SQLite insert (zlib line)"),
                        ("store", "trialscout: stored"),
                        ("search", "trialscout: + search step = searchable"),
                        ("criteria", "trialscout: + criteria step = fully indexed")):  # fmt: skip
        r = results.get(name)
        if r is None:
            continue
        total = r.get("cumulative_s", r["seconds"])
        print(f"{label:<45} {r['seconds']:>8.1f} s  {n / r['seconds']:>8,.0f} rec/s  "
              f"cumulative {total:>7.1f} s = {n / total:>6,.0f} rec/s  "
              f"CPU {1000 * r['cpu_s'] / n:.2f} ms/rec  peak RSS {r['peak_rss_mb']} MB, "
              f"heap {r['peak_anon_mb']} MB")  # fmt: skip
    if "store" in results:
        print(f"store heap (RssAnon) every 25k records: {results['store']['rss_mb_every_25k']} MB; "
              f"rejected {results['store']['rejected']}")  # fmt: skip
    if "criteria" in results:
        print(f"criteria failures {results['criteria']['failed']}")
    print(f"database: {size / 1e6:,.0f} MB for {trials:,} trials = {size / 1024 / max(trials, 1):.1f} "
          f"KB per trial (full-text index {fts / 1e6:,.0f} MB)")  # fmt: skip
    out = Path(__file__).parent / "results" / f"ingest_{n}{'_zip' if args.zip else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"n": n, "trials": trials, "db_bytes": size, "fts_bytes": fts,
                               **results}, indent=2) + "\n")  # fmt: skip


if __name__ == "__main__":
    main()
