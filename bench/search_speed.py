"""Search speed: p50/p95 latency of 200 mixed queries (words, filters, distance, sorts, pages),
on the demo set and on a large set; index build time and size.

The large set is the ~7,400 real registry records of ../shared/data copied under synthetic IDs
until it reaches --size trials (100,000 by default): real text and real sites, repeated. It is
built once into --big-db and reused (delete the file to rebuild).
Run: .venv/bin/python bench/search_speed.py [--size 100000]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import time
from pathlib import Path

from trialscout import pipeline
from trialscout.registry.sources import SourceRecord, read_paths
from trialscout.search import SearchError, SearchFilters, search
from trialscout.search.index import after_ingest, index_trial, rebuild
from trialscout.store.db import Database
from trialscout.store.ingest import ingest_records
from trialscout.store.trials import TrialStore

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "ctgov/legacy_xml/allpublicxml_subset_2023.jsonl.gz",
    "ctgov/api_v2/all_v2_studies.jsonl.gz",
)
WORDS = [
    "hepatocellular carcinoma", "HCC", "hepatitis B", "liver cancer after surgery hepatitis B",
    "TACE", "PD-1", "breast cancer", "diabetes", "asthma", "heart failure", "NSCLC", "leukemia",
    "depression", "HIV", "obesity", "stroke", "pain", "vaccine", "COPD", "colorectal cancer",
    "sorafenib", "insulin", "children asthma inhaler", "chronic kidney disease", "melanoma",
    "prostate cancer radiotherapy", "hypertension", "smoking cessation", "sepsis", "cirrhosis",
]  # fmt: skip


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
    times, errors = [], 0
    search(db, "warm up")  # page in the index
    for q, f, sort, offset in queries:
        t0 = time.perf_counter()
        try:
            search(db, q, dataclasses.replace(f), sort=sort, offset=offset)
        except SearchError:
            errors += 1
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "queries": len(times),
        "errors": errors,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
        "max_ms": round(times[-1], 1),
        "qps": round(len(times) / (sum(times) / 1000), 1),
    }


def copies(data: Path, size: int):
    base = [r.trial for r in read_paths([str(data / s) for s in SOURCES]) if r.trial]
    for i in range(size):
        t = base[i % len(base)]
        if i >= len(base):
            tid = f"NCT9{i:07d}"
            t = dataclasses.replace(t, trial_id=tid, nct_id=tid)
        yield SourceRecord(source="bench-copy", trial=t)


def build_big(data: Path, path: Path, size: int) -> dict:
    db = Database(path)
    info = {"trials": TrialStore(db).count()}
    indexed = db.conn.execute("SELECT count(*) FROM search_docs").fetchone()[0]
    built = info["trials"] >= 0.99 * size  # a few source records are rejected on ingest
    if built and indexed < info["trials"]:
        t0 = time.perf_counter()
        info["trials"] = rebuild(db)
        info["index_build_s"] = round(time.perf_counter() - t0, 1)
    elif not built:
        t0 = time.perf_counter()
        ingest_records(db, copies(data, size), hooks=[])
        info["store_ingest_s"] = round(time.perf_counter() - t0, 1)
        before = _size(db)
        t0 = time.perf_counter()
        info["trials"] = rebuild(db)
        info["index_build_s"] = round(time.perf_counter() - t0, 1)
        info["index_mb"] = round((_size(db) - before) / 1e6, 1)
    db.close()
    return info


def _size(db: Database) -> int:
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.size_bytes()


def hook_rate(data: Path) -> dict:
    """Ingest throughput of the real corpus with and without the search index hook."""
    recs = list(read_paths([str(data / SOURCES[0])]))
    out = {}
    for name, hooks in (("without_search_hook", []), ("with_search_hook", [index_trial])):
        db = Database(":memory:")
        t0 = time.perf_counter()
        ingest_records(db, recs, hooks=hooks)
        out[name] = round(len(recs) / (time.perf_counter() - t0))
    return {"records_per_s": out, "records": len(recs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--big-db", type=Path, default=Path("/tmp/trialscout_bench_big.db"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "search_speed.json")
    args = ap.parse_args()
    results = {"ingest": hook_rate(args.data)}
    print("ingest", results["ingest"], flush=True)
    demo = Database(":memory:")
    t0 = time.perf_counter()
    pipeline.load_demo(demo)
    after_ingest(demo)
    results["demo"] = {
        "trials": TrialStore(demo).count(),
        "load_s": round(time.perf_counter() - t0, 2),
    }
    results["demo"].update(latency(demo, mixed_queries(demo)))
    print("demo", results["demo"], flush=True)
    results["big"] = build_big(args.data, args.big_db, args.size)
    big = Database(args.big_db)
    queries = mixed_queries(big)
    results["big"].update(latency(big, queries))
    lexical = [(q, SearchFilters(), "relevance", 0) for q, *_ in queries]
    results["big"]["lexical_only"] = latency(big, lexical)
    print("big", results["big"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
