"""Speed: one patient against a 100,000-trial database, end to end (read file -> ranked results).

The corpus is bench/corpus.py's varied API v2 records (real parts shuffled between records, new
IDs), stored with the search index only, so criteria of the
evaluated candidates are parsed at match time (the slower path; a database ingested with the
criteria hook reads them instead). The database is built once and reused by later runs.

Run: .venv/bin/python bench/match_speed.py [--n 100000] [--db /tmp/trialscout_bench_match_100k.db]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import cached_corpus  # noqa: E402
from trialscout.ingest.load import ingest_records  # noqa: E402
from trialscout.match import match_patient  # noqa: E402
from trialscout.patient import load_patient  # noqa: E402
from trialscout.registry.sources import read_paths  # noqa: E402
from trialscout.search.index import index_trial  # noqa: E402
from trialscout.store.db import Database  # noqa: E402
from trialscout.store.trials import TrialStore  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PATIENTS = (
    ROOT / "examples" / "patient_hbv_hcc.yaml",
    ROOT / "tests" / "data" / "patient" / "trec-20217.txt",
    ROOT / "tests" / "data" / "patient" / "mcode_patient01.json",
)


def build(db_path: Path, data: Path, n: int) -> Database:
    db = Database(db_path)
    have = TrialStore(db).count()
    if have >= 0.99 * n:  # a corpus's rejected records (dates past 2100) are not stored
        print(f"corpus: reusing {have} trials in {db_path}")
        return db
    src = cached_corpus(data, n)
    t0 = time.perf_counter()
    report = ingest_records(db, read_paths([str(src)]), hooks=[index_trial])
    print(f"corpus: {report.new} trials stored + indexed in {time.perf_counter() - t0:.0f}s")
    return db


def time_patient(db: Database, path: Path, repeats: int) -> dict:
    runs, found = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        report = match_patient(db, load_patient(path), limit=10, candidates=50)
        runs.append(time.perf_counter() - t0)
        found = len(report.results)
    return {
        "patient": path.name,
        "first_s": round(runs[0], 3),
        "median_s": round(statistics.median(runs), 3),
        "max_s": round(max(runs), 3),
        "results": found,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--db", type=Path, default=Path("/tmp/trialscout_bench_match_100k.db"))
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    db = build(args.db, args.data, args.n)
    trials = TrialStore(db).count()
    print(f"{'patient':28} {'first s':>8} {'median s':>9} {'max s':>7}  ({trials} trials)")
    for path in PATIENTS:
        r = time_patient(db, path, args.repeats)
        print(f"{r['patient']:28} {r['first_s']:8.3f} {r['median_s']:9.3f} {r['max_s']:7.3f}")


if __name__ == "__main__":
    main()
