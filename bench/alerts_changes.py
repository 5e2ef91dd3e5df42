"""Alerts at scale: change detection on a re-ingest, then matching subscriptions.

1. load N trials (default 100,000) made from the real API v2 studies in ../shared/data by giving
   each a new ID (the store + the alerts hook only, so the figures are the alerts' own);
2. re-ingest all N where 5% changed (status flipped, a site added, enrollment and dates moved,
   one criterion dropped), timing the `record_changes` hook itself;
3. create S subscriptions (default 10,000) watching random trials, and plan the digests
   (the matching step of `alerts run`), then deliver them to a local SMTP server.

    python bench/alerts_changes.py [--shared ../shared/data] [--trials 100000] [--subs 10000]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import gzip
import json
import random
import resource
import shutil
import socket
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from trialscout.alerts.changes import record_changes
from trialscout.alerts.criteria_items import diff_items
from trialscout.alerts.delivery import SmtpConfig, deliver_pending
from trialscout.alerts.planner import plan_digests
from trialscout.alerts.subscriptions import subscribe
from trialscout.ingest.load import ingest_records
from trialscout.registry.ctgov_v2 import trial_from_v2
from trialscout.registry.model import Location, Trial
from trialscout.registry.sources import SourceRecord
from trialscout.store.db import Database


def rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def base_trials(shared: Path) -> list[Trial]:
    with gzip.open(shared / "ctgov/api_v2/all_v2_studies.jsonl.gz", "rt") as f:
        return [trial_from_v2(json.loads(line)) for line in f]


def variant(base: Trial, i: int) -> Trial:
    """A shallow copy with a new ID (nested parts are shared: never mutated)."""
    tid = f"NCT{20_000_000 + i:08d}"
    return dataclasses.replace(base, trial_id=tid, nct_id=tid)


def changed(t: Trial, i: int, rng: random.Random, sites: list[Location]) -> Trial:
    t = copy.deepcopy(t)
    kind = i % 4
    if kind == 0:
        t.overall_status = "RECRUITING" if t.overall_status != "RECRUITING" else "COMPLETED"
    elif kind == 1:
        site = copy.deepcopy(rng.choice(sites))
        site.facility = f"{site.facility or 'Clinic'} annex {i}"
        t.locations.append(site)
    elif kind == 2:
        t.enrollment = (t.enrollment or 0) + 25
        t.primary_completion_date = "2027-06"
    else:
        text = t.eligibility.criteria or ""
        lines = text.splitlines()
        t.eligibility.criteria = "\n".join(lines[:-1]) if len(lines) > 3 else text + "\n* new item"
    t.last_update_posted = "2026-11-01"
    return t


def records(trials, n, changed_every=None, rng=None, sites=None):
    for i in range(n):
        t = variant(trials[i % len(trials)], i)
        if changed_every and i % changed_every == 0:
            t = changed(t, i // changed_every, rng, sites)
        yield SourceRecord(source="bench", trial=t)


class TimedHook:
    def __init__(self) -> None:
        self.calls, self.seconds = 0, 0.0

    def __call__(self, conn, trial) -> None:
        start = time.perf_counter()
        record_changes(conn, trial)
        self.seconds += time.perf_counter() - start
        self.calls += 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=Path(__file__).parents[2] / "shared/data")
    ap.add_argument("--trials", type=int, default=100_000)
    ap.add_argument("--subs", type=int, default=10_000)
    args = ap.parse_args()
    rng = random.Random(11)
    trials = base_trials(args.shared)
    sites = [loc for t in trials for loc in t.locations if loc.lat is not None]
    tmp = Path(tempfile.mkdtemp(prefix="alerts-bench-"))
    db = Database(tmp / "bench.db")
    out: dict = {"trials": args.trials, "subscriptions": args.subs, "base_studies": len(trials)}

    hook = TimedHook()
    start = time.perf_counter()
    ingest_records(db, records(trials, args.trials), hooks=[hook])
    out["load_s"] = round(time.perf_counter() - start, 1)
    out["load_hook_s"] = round(hook.seconds, 1)

    ids = [f"NCT{20_000_000 + i:08d}" for i in range(args.trials)]
    start = time.perf_counter()
    for k in range(args.subs):
        subscribe(db, f"reader{k}@example.org", trial_id=rng.choice(ids), confirmed=True)
    out["subscribe_s"] = round(time.perf_counter() - start, 1)

    start = time.perf_counter()  # one-time: the criteria stage loads its unit registry
    diff_items("Inclusion Criteria:\n- Platelets >= 50 x 10^9/L\n- ECOG 0-1", "")
    out["criteria_stage_warmup_s"] = round(time.perf_counter() - start, 2)

    hook = TimedHook()
    start = time.perf_counter()
    report = ingest_records(db, records(trials, args.trials, 20, rng, sites), hooks=[hook])
    out["reingest_s"] = round(time.perf_counter() - start, 1)
    out["reingest_changed"] = report.changed
    out["hook_calls"] = hook.calls
    out["hook_s"] = round(hook.seconds, 2)
    out["hook_ms_per_changed_trial"] = round(1000 * hook.seconds / max(1, hook.calls), 3)
    out["events_for_changes"] = db.conn.execute(
        "SELECT count(*) FROM alert_changes WHERE category != 'new'"
    ).fetchone()[0]
    out["rss_after_ingest_mb"] = rss_mb()

    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(tmp / "bench.db", tmp / "copy.db")
    now = datetime.now(UTC)
    start = time.perf_counter()
    plan = plan_digests(db, now=now)
    out["plan_s"] = round(time.perf_counter() - start, 2)
    out["plan_messages"] = plan.messages
    with Database(tmp / "copy.db") as copy_db:
        tracemalloc.start()
        plan_digests(copy_db, now=now)
        out["plan_peak_python_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    start = time.perf_counter()
    sent = deliver_pending(db, SmtpConfig(host="127.0.0.1", port=port), now=now).sent
    out["deliver_s"] = round(time.perf_counter() - start, 2)
    out["delivered"] = sent
    controller.stop()
    out["db_mb"] = round(db.size_bytes() / 2**20, 1)
    out["peak_rss_mb"] = rss_mb()
    db.close()
    shutil.rmtree(tmp)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
