"""Web app under load: requests/s and latency (p50/p95) of the search page and the trial page.

A real uvicorn server (one process) on 127.0.0.1 and a separate load process with C concurrent
keep-alive clients for D seconds per page type: the search page (8 queries), the trial page and
its related-trials fragment (500 random trials, so the per-trial caches are mostly cold). The database is either given (--db) or built:
N records varying the real API v2 studies in ../shared/data (new IDs, dates, site cities), as in
bench/ingest_throughput.py, indexed for search (parsed criteria are then computed on demand).

    python bench/web_load.py [--n 100000] [--db PATH] [--clients 50] [--seconds 30] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "hepatocellular carcinoma",
    "hepatitis B",
    "liver cancer sorafenib",
    "breast cancer",
    "diabetes",
    "asthma children",
    "hepatitis B tenofovir",
    "lung cancer immunotherapy",
]


def build(shared: Path, path: Path, n: int) -> float:
    """Variants of the real API v2 studies, ingested with the search index hook only."""
    sys.path.insert(0, str(Path(__file__).parent))
    from ingest_throughput import make_variants
    from trialscout.ingest import pipeline
    from trialscout.ingest.load import ingest_records
    from trialscout.registry.sources import read_paths
    from trialscout.search.index import index_trial
    from trialscout.store.db import Database

    jsonl = path.with_suffix(".jsonl")
    make_variants(shared, jsonl, n)
    start = time.time()
    with Database(path) as db:
        paths = [str(jsonl), *map(str, pipeline.demo_paths())]
        ingest_records(db, read_paths(paths), sources="bench", hooks=[index_trial])
    jsonl.unlink()
    return time.time() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path: Path, port: int, workers: int) -> subprocess.Popen:
    """`trialscout serve` itself, rate limits off (the load comes from one address)."""
    env = {**os.environ, "TRIALSCOUT_RATE_LIMITS": "0"}
    cmd = [sys.executable, "-m", "trialscout.cli", "serve", "--db", str(db_path)]
    cmd += ["--port", str(port), "--workers", str(workers), "--no-demo"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    import httpx

    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/status", timeout=2)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


async def load(urls: list[str], clients: int, seconds: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient, seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                r = await client.get(rng.choice(urls))
                if r.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - t0)

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client, i) for i in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
    }


def trial_ids(db_path: Path, k: int = 500) -> list[str]:
    from trialscout.store.db import Database

    with Database(db_path) as db:
        rows = db.conn.execute("SELECT trial_id FROM trials ORDER BY random() LIMIT ?", (k,))
        return [r[0] for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).parents[2] / "shared/data")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--db", type=Path, default=None, help="Use this database (no build).")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=1, help="Server worker processes.")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="web-load-"))
    db_path = args.db
    if db_path is None:
        db_path = tmp / "web.db"
        took = build(args.shared, db_path, args.n)
        print(f"built {args.n:,} variant records + demo in {took:.0f} s -> {db_path}")
    from trialscout.store.db import Database
    from trialscout.store.trials import TrialStore

    with Database(db_path) as db:
        count = TrialStore(db).count()
    port = free_port()
    server = start_server(db_path, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    ids = trial_ids(db_path)
    pages = {
        "search page": [f"{base}/?q={q.replace(' ', '+')}" for q in QUERIES],
        "trial page": [f"{base}/trials/{t}" for t in ids],
        "related": [f"{base}/trials/{t}/related?fragment=1" for t in ids],
    }
    print(
        f"{count:,} trials; {args.workers} server worker(s); {args.clients} concurrent clients, "
        f"{args.seconds:.0f} s per page"
    )
    print(f"{'page':<12} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
    try:
        for name, urls in pages.items():
            asyncio.run(load(urls[:20], 4, 3))  # warm caches
            r = asyncio.run(load(urls, args.clients, args.seconds))
            print(
                f"{name:<12} {r['requests']:>9} {r['errors']:>7} {r['rps']:>7} "
                f"{r['p50_ms']:>8} {r['p95_ms']:>8}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"machine: {os.cpu_count()} cores; server and load generator share them")


if __name__ == "__main__":
    main()
