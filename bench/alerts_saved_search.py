"""Saved-search alerts at scale: how long matching takes when subscriptions are searches.

Loads N trials (default 10,000, variants of the real API v2 studies as in alerts_changes.py)
with the search index and the alerts hook, subscribes S addresses (default 10,000) to saved
searches drawn from Q distinct queries (default 25, each with and without a status filter) (the real records' condition names, some with a status
filter), re-ingests with 5% changed, and times the planning step of `alerts run`. Identical
saved searches share one search per run, so the cost grows with Q, not S.

    python bench/alerts_saved_search.py [--shared ../shared/data] [--trials 10000] [--subs 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from alerts_changes import base_trials, records, rss_mb
from trialscout.alerts.changes import record_changes
from trialscout.alerts.planner import plan_digests
from trialscout.alerts.subscriptions import subscribe
from trialscout.ingest.load import ingest_records
from trialscout.search.index import index_trial
from trialscout.store.db import Database


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=Path(__file__).parents[2] / "shared/data")
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--subs", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=25)
    args = ap.parse_args()
    rng = random.Random(5)
    trials = base_trials(args.shared)
    sites = [loc for t in trials for loc in t.locations if loc.lat is not None]
    conditions = sorted({c for t in trials for c in t.conditions if 3 < len(c) < 40})
    queries = rng.sample(conditions, min(args.queries, len(conditions)))
    tmp = Path(tempfile.mkdtemp(prefix="alerts-ss-"))
    db = Database(tmp / "bench.db")
    hooks = [index_trial, record_changes]
    out: dict = {
        "trials": args.trials,
        "subscriptions": args.subs,
        "distinct_queries": len(queries),
    }

    start = time.perf_counter()
    ingest_records(db, records(trials, args.trials), hooks=hooks)
    out["load_with_search_index_s"] = round(time.perf_counter() - start, 1)
    # subscribe() validates each saved search by running it; do that once per distinct search,
    # then copy those rows for the other addresses (same cursor, same target).
    start = time.perf_counter()
    distinct = [(q, f) for q in queries for f in (None, {"status": ["RECRUITING"]})]
    for k, (query, filters) in enumerate(distinct):
        subscribe(db, f"r{k}@example.org", search=query, filters=filters, confirmed=True)
    out["subscribe_validated_s_each"] = round((time.perf_counter() - start) / len(distinct), 3)
    with db.transaction() as conn:
        for k in range(len(distinct), args.subs):
            conn.execute(
                "INSERT INTO alert_subscriptions (email, kind, search, filters, frequency, status, "
                "salt, created_at, confirmed_at, last_event_id) SELECT ?, kind, search, filters, "
                "frequency, status, salt || ?, created_at, confirmed_at, last_event_id "
                "FROM alert_subscriptions WHERE sub_id = ?",
                (f"r{k}@example.org", str(k), rng.randrange(1, len(distinct) + 1)),
            )
    out["distinct_searches"] = len(distinct)
    start = time.perf_counter()
    report = ingest_records(db, records(trials, args.trials, 20, rng, sites), hooks=hooks)
    out["reingest_s"] = round(time.perf_counter() - start, 1)
    out["changed"] = report.changed
    start = time.perf_counter()
    plan = plan_digests(db, now=datetime.now(UTC))
    out["plan_s"] = round(time.perf_counter() - start, 2)
    out["plan_messages"] = plan.messages
    out["plan_errors"] = len(plan.errors)
    out["plan_s_per_distinct_search"] = round(out["plan_s"] / len(distinct), 3)
    out["peak_rss_mb"] = rss_mb()
    db.close()
    shutil.rmtree(tmp)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
