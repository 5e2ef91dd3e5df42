"""Ingest throughput, peak memory and database size per record.

1. every real registry record in ../shared/data/ctgov (API v2 + legacy XML, ~8,100 records);
2. a 100,000-record JSONL made by varying real API v2 records (IDs, dates, site cities).
Each run is a fresh subprocess, so peak RSS is that run's own. With --store-only the derived
indexes (full text, parsed criteria) are skipped, to show where the time goes.

    python bench/ingest_throughput.py [--shared ../shared/data] [--n 100000] [--store-only]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_variants(shared: Path, out: Path, n: int) -> None:
    """n records cycling through the real API v2 studies, each with a new ID, shifted dates and
    its sites moved between the cities the real records name."""
    with gzip.open(shared / "ctgov/api_v2/all_v2_studies.jsonl.gz", "rt") as f:
        studies = [json.loads(line) for line in f]
    cities = sorted(
        {
            (loc.get("city"), loc.get("country"))
            for s in studies
            for loc in s["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
            if loc.get("city")
        }
    )
    rng = random.Random(7)
    with out.open("w") as f:
        for i in range(n):
            s = json.loads(json.dumps(studies[i % len(studies)]))
            proto = s["protocolSection"]
            proto["identificationModule"]["nctId"] = f"NCT{10_000_000 + i:08d}"
            status = proto.setdefault("statusModule", {})
            year = 2000 + rng.randrange(26)
            status["startDateStruct"] = {
                "date": f"{year}-{rng.randrange(1, 13):02d}",
                "type": "ACTUAL",
            }
            status["lastUpdatePostDateStruct"] = {"date": f"{year + 1}-01-15", "type": "ACTUAL"}
            for loc in proto.get("contactsLocationsModule", {}).get("locations", []):
                loc["city"], loc["country"] = rng.choice(cities)
            f.write(json.dumps(s, separators=(",", ":")) + "\n")


WORKERS = 2


def run_phase(db_path: str, paths: list[str], store_only: bool) -> dict:
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
            rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)

    hooks = [] if store_only else pipeline.default_hooks()
    start = time.perf_counter()
    records = pipeline.convert_parallel(
        pipeline.find_records(paths),
        pipeline.preparers(hooks),
        workers=WORKERS,
        known=pipeline.KnownVersions(db_path),  # as `trialscout ingest` does
    )
    report = ingest_records(db, records, hooks=hooks, on_record=tick)
    seconds = time.perf_counter() - start
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = db.conn.execute("SELECT count(*) FROM trials").fetchone()[0]
    return {
        "records": report.total,
        "new": report.new,
        "changed": report.changed,
        "unchanged": report.unchanged,
        "older": report.older,
        "rejected": report.rejected,
        "seconds": round(seconds, 2),
        "records_per_s": round(report.total / seconds),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "rss_mb_every_25k": rss,
        "db_mb": round(db.size_bytes() / 1e6, 1),
        "db_kb_per_record": round(db.size_bytes() / 1024 / max(stored, 1), 2),
        "trials_stored": stored,
        "hooks": [h.__module__ + "." + h.__name__ for h in hooks],
        "workers": WORKERS,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[1] / "../shared/data"))
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--store-only", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="parsing processes (1 = inline)")
    ap.add_argument("--phase", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    global WORKERS
    WORKERS = args.workers
    if args.phase:
        print(json.dumps(run_phase(args.phase[0], args.phase[1:], args.store_only)))
        return
    shared = Path(args.shared)
    with tempfile.TemporaryDirectory() as tmp:
        variants = Path(tmp) / "variants.jsonl"
        make_variants(shared, variants, args.n)
        runs = {
            "all real records (shared/data/ctgov)": [str(shared / "ctgov")],
            "same again (idempotent re-run)": [str(shared / "ctgov")],
            f"{args.n:,} varied API v2 records": [str(variants)],
        }
        db_real, db_var = str(Path(tmp) / "real.db"), str(Path(tmp) / "var.db")
        extra = ["--store-only"] if args.store_only else []
        extra += ["--workers", str(args.workers)]
        for label, paths in runs.items():
            db_path = db_var if "varied" in label else db_real
            out = subprocess.run(
                [sys.executable, __file__, *extra, "--phase", db_path, *paths],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            print(
                f"{label}: {result['records']:,} records in {result['seconds']} s = "
                f"{result['records_per_s']:,} records/s; new {result['new']:,}, changed "
                f"{result['changed']}, unchanged {result['unchanged']:,}, older {result['older']}, "
                f"rejected {result['rejected']}; {result['workers']} workers; peak RSS {result['peak_rss_mb']} MB "
                f"(every 25k: {result['rss_mb_every_25k']}); DB {result['db_mb']} MB = "
                f"{result['db_kb_per_record']} KB per stored trial; hooks: {result['hooks'] or 'none'}"
            )


if __name__ == "__main__":
    main()
