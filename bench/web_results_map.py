"""The search page's map of results (issue 14): what it adds to a search page.

In process (FastAPI TestClient) on the demo database or --db: for each query, near a place and
sorted by distance, with the search results cached (as in service): the baseline measured in
the same run, the page without the map (its builder swapped for an empty map), then the page
with the map drawn cold (its trials loaded and placed) and warm (the map cached for every
visitor like the search results). Medians of --repeat runs.

    python bench/web_results_map.py [--db PATH] [--limit 20] [--near Hangzhou] [--repeat 20]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

QUERIES = ["hepatocellular carcinoma", "hepatitis B", "liver", "cancer", "diabetes", "asthma"]


def _db(path: str | None) -> Path:
    target = Path(tempfile.mkdtemp()) / "bench.db"
    if path:
        shutil.copy(path, target)
        return target
    from trialscout.ingest import pipeline
    from trialscout.store.db import Database

    with Database(target) as db:
        pipeline.load_demo(db)
    return target


def _ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--near", default="Hangzhou")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from trialscout.web import WebSettings, create_app, routes_pages, shared_cache, site_map

    app = create_app(str(_db(args.db)), WebSettings(secret="bench", rate_limits=False))
    client = TestClient(app)
    draw = routes_pages._results_map
    print(f"{'query':26} {'no map (baseline)':>17} {'map cold':>10} {'map warm':>10} markers")
    for q in QUERIES:
        params = {"q": q, "near": args.near, "sort": "distance", "limit": args.limit}
        client.get("/", params=params)  # search results and the place cached, as in service
        routes_pages._results_map = lambda *_a: site_map.ResultsMap([], [])
        baseline = _ms(lambda p=params: client.get("/", params=p), args.repeat)
        routes_pages._results_map = draw

        def cold(p=params):
            shared_cache.RESULT_MAPS.clear()
            client.get("/", params=p)

        cold_ms = _ms(cold, max(3, args.repeat // 4))
        warm_ms = _ms(lambda p=params: client.get("/", params=p), args.repeat)
        markers = client.get("/", params=params).text.count('class="marker')
        print(f"{q:26} {baseline:14.1f} ms {cold_ms:7.1f} ms {warm_ms:7.1f} ms {markers:>7}")
    app.state.db.close()


if __name__ == "__main__":
    main()
