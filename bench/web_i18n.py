"""Cost of the Chinese interface: time to serve the search page, a trial page and an
eligibility result in English (the baseline, measured in the same run) and in Chinese.

In-process (FastAPI TestClient on the bundled demo data, so no network noise); each page is
fetched R times per language after one warm-up, alternating languages so both see the same
caches. Chinese pays for the catalog lookups: `_()` in templates and the pattern translation of
wording built in Python (memoised per string).

    python bench/web_i18n.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from trialscout.ingest import pipeline
from trialscout.store.db import Database
from trialscout.web import WebSettings, create_app, i18n

TRIAL = "ZJCH-HAIC-2024"
PAGES = {
    "search": ("GET", "/?q=hepatocellular+carcinoma", None),
    "trial": ("GET", f"/trials/{TRIAL}", None),
    "eligibility": ("POST", f"/trials/{TRIAL}/eligibility", {"lab:hbv_dna": "5000 copies/mL"}),
}


def _client(lang: str, app) -> TestClient:
    client = TestClient(app)
    client.cookies.set("lang", lang)
    return client


def _fetch(client: TestClient, method: str, url: str, form: dict | None, token: str) -> float:
    start = time.perf_counter()
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token, **(form or {})})
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        with Database(path) as database:
            pipeline.load_demo(database)
        app = create_app(str(path), WebSettings(secret="bench", rate_limits=False))
        clients = {lang: _client(lang, app) for lang in ("en", "zh")}
        tokens = {}
        for lang, client in clients.items():
            page = client.get(f"/trials/{TRIAL}/eligibility").text
            tokens[lang] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        print(
            f"{'page':12} {'en median ms':>13} {'zh median ms':>13} {'zh/en':>7} {'zh cold ms':>11}"
        )
        for name, (method, url, form) in PAGES.items():
            times: dict[str, list[float]] = {"en": [], "zh": [], "cold": []}
            for lang in clients:  # warm-up: caches, catalog load
                _fetch(clients[lang], method, url, form, tokens[lang])
            for _ in range(args.rounds):
                for lang in clients:
                    times[lang].append(_fetch(clients[lang], method, url, form, tokens[lang]))
                i18n._cached.cache_clear()  # every string translated afresh: the first visit
                times["cold"].append(_fetch(clients["zh"], method, url, form, tokens["zh"]))
            en, zh, cold = (statistics.median(times[k]) * 1000 for k in ("en", "zh", "cold"))
            print(f"{name:12} {en:13.1f} {zh:13.1f} {zh / en:7.2f} {cold:11.1f}")
        app.state.db.close()


if __name__ == "__main__":
    main()
