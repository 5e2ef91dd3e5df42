"""Search speed: p50/p95 latency of 200 mixed queries (words, filters, distance, sorts, pages),
on the demo set and on a large set, next to tantivy alone, raw FTS5 and bm25s on the same
texts; index build time and size.

The large set is --size varied API v2 records from bench/corpus.py (real text shuffled between
real records, deterministic from --seed), stored and indexed once (search + fulltext steps)
into --big-db and reused (delete the file and its .tantivy directory to rebuild).
Run: nice .venv/bin/python bench/search_speed.py [--size 100000] [--no-refs]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sqlite3
import statistics
import time
from pathlib import Path

import search_refs
from trialscout.ingest import derived, pipeline
from trialscout.ingest.load import ENCODED, ingest_records
from trialscout.ingest.records import encode
from trialscout.ingest.steps import run_step
from trialscout.registry.sources import find_records
from trialscout.search import SearchError, SearchFilters, fulltext, search
from trialscout.search.index import after_ingest
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "hepatocellular carcinoma", "HCC", "hepatitis B", "liver cancer after surgery hepatitis B",
    "TACE", "PD-1", "breast cancer", "diabetes", "asthma", "heart failure", "NSCLC", "leukemia",
    "depression", "HIV", "obesity", "stroke", "pain", "vaccine", "COPD", "colorectal cancer",
    "sorafenib", "insulin", "children asthma inhaler", "chronic kidney disease", "melanoma",
    "prostate cancer radiotherapy", "hypertension", "smoking cessation", "sepsis", "cirrhosis",
]  # fmt: skip


# Long patient descriptions (what `match` sends): many concepts, any-word matching.
NOTES = [
    "A 58-year-old woman with type 2 diabetes, hypertension, obesity and chronic kidney disease "
    "stage 3 on metformin and insulin, presenting with a foot ulcer and peripheral neuropathy.",
    "45-year-old man with hepatocellular carcinoma after hepatitis B cirrhosis, Child-Pugh A, "
    "previously treated with TACE and sorafenib, ECOG 1, no brain metastases.",
    "A 9-year-old boy with moderate persistent asthma on inhaled corticosteroids, eczema and "
    "peanut allergy, two emergency visits last year.",
    "67-year-old woman with metastatic HER2-positive breast cancer, prior trastuzumab and "
    "pertuzumab, bone metastases, heart failure with reduced ejection fraction.",
]


def mixed_queries(db: Database, n: int = 200, seed: int = 7) -> list[tuple]:
    """(query, filters, sort, offset): words alone, with filters, near places, paged."""
    rng = random.Random(seed)
    cities = [r[0] for r in db.conn.execute(
        "SELECT city FROM search_places GROUP BY city_key ORDER BY sum(n) DESC LIMIT 40")]  # fmt: skip
    out = []
    for i in range(n):
        f = SearchFilters()
        kind = i % 4
        if kind >= 1:
            f.status = rng.sample(["recruiting", "completed", "open", "terminated"], 1)
            f.phase = rng.sample(["1", "2", "3", "4"], rng.randint(0, 2))
            f.age = rng.choice([None, 8, 35, 52, 70])
            f.sex = rng.choice([None, "female", "male"])
        if kind >= 2 and cities:
            f.near, f.radius_km = rng.choice(cities), rng.choice([50, 200, 1000])
        if kind == 3:
            f.country = rng.choice(["United States", "China", "France", None])
        sort = rng.choice(
            ["relevance", "relevance", "last_update"] + (["distance"] if f.near else [])
        )
        out.append((rng.choice(WORDS), f, sort, rng.choice([0, 0, 20])))
    return out


def latency(db: Database, queries: list[tuple]) -> dict:
    """Wall and CPU time per query: on a shared, overloaded machine the CPU time is what the
    query costs, the wall time adds waiting for a core."""
    times, cpu, errors = [], [], 0
    search(db, "warm up")  # page in the index
    for q, f, sort, offset in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            search(db, q, dataclasses.replace(f), sort=sort, offset=offset)
        except SearchError:
            errors += 1
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    return {
        "queries": len(times),
        "errors": errors,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
        "max_ms": round(times[-1], 1),
        "qps": round(len(times) / (sum(times) / 1000), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(cpu[int(0.95 * len(cpu)) - 1], 1),
        "load_avg": round(os.getloadavg()[0], 1),
    }


def build_big(data: Path, path: Path, size: int, seed: int) -> dict:
    """Store the corpus, then run the search and fulltext index steps (criteria are not
    parsed: not search's cost); each timed. Restartable: a killed build resumes."""
    from corpus import cached_corpus

    db = Database(path)
    info = {"trials": TrialStore(db).count()}
    if info["trials"] < 0.99 * size:
        source = cached_corpus(data, size, seed)
        t0 = time.perf_counter()
        records = pipeline.convert_parallel(
            find_records([str(source)]), {ENCODED: encode}, workers=2
        )
        ingest_records(db, records, hooks=[])
        info["store_s"] = round(time.perf_counter() - t0, 1)
    for step in (derived.SEARCH, derived.fulltext_step()):
        report = run_step(db, step, workers=2)
        if step is derived.SEARCH and report.indexed:
            after_ingest(db)
        if report.indexed:
            info[f"{step.name}_step_s"] = round(report.seconds, 1)
    info["trials"] = TrialStore(db).count()
    info["db_mb"] = round(_size(db) / 1e6, 1)
    index_bytes = fulltext.size_bytes(fulltext.reader(db.conn))
    info["tantivy_mb"] = round(index_bytes / 1e6, 1)
    info["tantivy_bytes_per_trial"] = round(index_bytes / max(info["trials"], 1))
    db.close()
    return info


def _table_bytes(db: Database, like: str) -> int:
    try:
        row = db.conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?", (like,)
        ).fetchone()
    except sqlite3.OperationalError:  # dbstat not compiled in
        return 0
    return row[0] or 0


def _size(db: Database) -> int:
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.size_bytes()


def references(db: Database, words: list[str]) -> dict:
    """tantivy alone, raw FTS5 and bm25s on the same texts and query words (bench extra)."""
    out = {
        "tantivy_alone_top20_count_facets": search_refs.timed(search_refs.tantivy_alone(db), words)
    }
    print("tantivy alone", out["tantivy_alone_top20_count_facets"], flush=True)
    built = search_refs.build_ref_fts(db)
    out["raw_fts5_top20"] = search_refs.timed(search_refs.raw_fts5(db), words)
    out["raw_fts5_top20"]["table_mb"] = round(
        _table_bytes(db, search_refs.REF_TABLE + "%") / 1e6, 1
    )
    if built:
        out["raw_fts5_top20"]["build_s"] = round(built, 1)
    print("raw FTS5", out["raw_fts5_top20"], flush=True)
    try:
        run, built = search_refs.bm25s_engine(db)
        out["bm25s_top20"] = {**search_refs.timed(run, words), "index_s": round(built, 1)}
        print("bm25s", out["bm25s_top20"], flush=True)
        del run
    except ImportError as exc:
        out["bm25s_top20"] = f"not run: {exc}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--big-db", type=Path, help="default /tmp/trialscout_bench_search_<size>.db")
    ap.add_argument("--no-refs", action="store_true", help="skip raw FTS5, bm25s, tantivy alone")
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    big_db = args.big_db or Path(f"/tmp/trialscout_bench_search_{args.size}.db")
    out = args.out or ROOT / "bench" / "results" / f"search_speed_{args.size}.json"
    results: dict = {}
    if not args.skip_demo:
        demo = Database(":memory:")
        t0 = time.perf_counter()
        pipeline.load_demo(demo)
        results["demo"] = {
            "trials": TrialStore(demo).count(),
            "load_s": round(time.perf_counter() - t0, 2),
        }
        results["demo"].update(latency(demo, mixed_queries(demo)))
        print("demo", results["demo"], flush=True)
    results["big"] = build_big(args.data, big_db, args.size, args.seed)
    big = Database(big_db)
    queries = mixed_queries(big)
    results["big"].update(latency(big, queries))
    lexical = [(q, SearchFilters(), "relevance", 0) for q, *_ in queries]
    results["big"]["lexical_only"] = latency(big, lexical)
    print("big", results["big"], flush=True)
    words = [q for q, *_ in queries]
    results["big"]["patient_notes"] = latency(
        big, [(n, SearchFilters(), "relevance", 0) for n in NOTES]
    )
    print("patient notes", results["big"]["patient_notes"], flush=True)
    if not args.no_refs:
        results["references"] = references(big, words + NOTES)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
