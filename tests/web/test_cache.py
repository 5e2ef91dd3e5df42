"""Search results and place lookups are cached for every visitor, and never served stale
after another process ingests."""

from __future__ import annotations

import contextlib
from pathlib import Path

from trialscout.ingest import pipeline
from trialscout.store.db import Database
from trialscout.web import services, shared_cache

SAMPLE = Path(__file__).parent.parent / "data" / "search" / "v2_sample.jsonl"
XMLS = sorted((Path(__file__).parent.parent / "data" / "search").glob("*.xml"))


def test_search_results_are_shared_and_see_a_new_ingest(tmp_path):
    path = tmp_path / "web.db"
    with Database(path) as writer:
        pipeline.ingest_paths(writer, [SAMPLE], workers=1)
    web = Database(path)
    shared_cache.SEARCH_RESULTS.clear()
    first = services.search(web, "cancer", {})
    hits = shared_cache.SEARCH_RESULTS.hits
    again = services.search(web, "cancer", {})
    assert again is first and shared_cache.SEARCH_RESULTS.hits == hits + 1
    other = services.search(web, "cancer", {"status": ["completed"]})
    assert other is not first
    with Database(path) as writer:  # another connection, as `trialscout ingest` would be
        pipeline.ingest_paths(writer, XMLS, workers=1)
    fresh = services.search(web, "cancer", {})
    stored = web.conn.execute("SELECT count(*) FROM trials").fetchone()[0]
    assert fresh is not first and stored > 17
    assert fresh.total >= first.total
    web.close()


def test_refused_input_is_not_cached(tmp_path):
    with Database(tmp_path / "web.db") as db:
        pipeline.ingest_paths(db, [SAMPLE], workers=1)
        shared_cache.PLACES.clear()
        before = (shared_cache.PLACES.misses, shared_cache.PLACES.hits)
        for _ in range(2):
            with contextlib.suppress(services.BadInput):
                services.resolve_place(db, "Nowhereville Zzyzx")
        assert (shared_cache.PLACES.misses, shared_cache.PLACES.hits) == before


def test_trial_count_is_cached_until_the_database_changes(tmp_path):
    path = tmp_path / "web.db"
    with Database(path) as writer:
        pipeline.ingest_paths(writer, [SAMPLE], workers=1)
    web = Database(path)
    first = services.trial_count(web)
    hits = shared_cache.COUNTS.hits
    assert services.trial_count(web) == first and shared_cache.COUNTS.hits == hits + 1
    with Database(path) as writer:
        pipeline.ingest_paths(writer, XMLS[:2], workers=1)
    assert services.trial_count(web) == first + 2
    web.close()


def test_an_ingest_through_the_same_connection_is_seen(tmp_path):
    """`data_version` ignores this connection's own commits; the ingest run id does not."""
    with Database(tmp_path / "web.db") as db:
        pipeline.ingest_paths(db, [SAMPLE], workers=1)
        before = services.search(db, "cancer", {})
        pipeline.ingest_paths(db, XMLS, workers=1)
        after = services.search(db, "cancer", {})
        assert after is not before
        assert (
            services.trial_count(db) == db.conn.execute("SELECT count(*) FROM trials").fetchone()[0]
        )
