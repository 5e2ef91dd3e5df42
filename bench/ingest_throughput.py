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


def run_phase(name: str, corpus: Path, db: Path, workers: int) -> dict:
    t0 = time.perf_counter()
    out = PHASES[name](corpus, db, workers)
    out["seconds"] = round(time.perf_counter() - t0, 2)
    out["peak_rss_mb"] = _rss_mb()
    out["peak_anon_mb"] = max(ANON_PEAK[0], _anon_mb())
    return out


def _sub(name: str, corpus: Path, db: Path, workers: int) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, str(corpus), str(db), str(workers)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _size(db: Path) -> tuple[int, int]:
    from trialscout.store.db import Database

    with Database(db) as d:
        trials = d.conn.execute("SELECT count(*) FROM trials").fetchone()[0]
        try:
            fts = d.conn.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'"
            ).fetchone()[0]
        except Exception:  # noqa: BLE001 - dbstat is optional in SQLite builds
            fts = 0
    return trials, db.stat().st_size, fts or 0


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
    args = ap.parse_args()
    if args.phase:
        name, corpus, db, workers = args.phase
        print(json.dumps(run_phase(name, Path(corpus), Path(db), int(workers))))
        return
    from corpus import cached_corpus

    corpus = cached_corpus(args.shared, args.n, args.seed, ".zip" if args.zip else ".jsonl")
    print(f"corpus: {args.n:,} records, {corpus.stat().st_size / 1e6:,.0f} MB ({corpus.name}); "
          f"{args.workers} workers")  # fmt: skip
    results = {}
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        db = Path(tmp) / "ingest.db"
        results["parse"] = _sub("parse", corpus, Path(tmp) / "none.db", args.workers)
        results["bare"] = _sub("bare", corpus, Path(tmp) / "bare.db", args.workers)
        elapsed = 0.0
        for name in ("store", "search", "criteria"):
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
        r = results[name]
        total = r.get("cumulative_s", r["seconds"])
        print(f"{label:<45} {r['seconds']:>8.1f} s  {n / r['seconds']:>8,.0f} rec/s  "
              f"cumulative {total:>7.1f} s = {n / total:>6,.0f} rec/s  peak RSS {r['peak_rss_mb']} MB, "
              f"heap {r['peak_anon_mb']} MB")  # fmt: skip
    print(f"store heap (RssAnon) every 25k records: {results['store']['rss_mb_every_25k']} MB; rejected "
          f"{results['store']['rejected']}; criteria failures {results['criteria']['failed']}")  # fmt: skip
    print(f"database: {size / 1e6:,.0f} MB for {trials:,} trials = {size / 1024 / max(trials, 1):.1f} "
          f"KB per trial (full-text index {fts / 1e6:,.0f} MB)")  # fmt: skip
    out = Path(__file__).parent / "results" / f"ingest_{n}{'_zip' if args.zip else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"n": n, "trials": trials, "db_bytes": size, "fts_bytes": fts,
                               **results}, indent=2) + "\n")  # fmt: skip


if __name__ == "__main__":
    main()
