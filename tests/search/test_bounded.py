"""Bounded search (issue 13): SQLite ranks, pages and counts facets; the results must be what a
full walk over every match gives (checked here against brute force over the stored trials)."""

from __future__ import annotations

from collections import Counter

from trialscout.ingest.load import ingest_records
from trialscout.search import SearchFilters, search
from trialscout.search.facets import AGE_GROUPS, BROWSE_FACETS
from trialscout.search.index import index_trial
from trialscout.search.ranking import DEFAULT, Ranking, admits


def _stored(db) -> list[tuple]:
    return db.conn.execute(
        "SELECT t.trial_id, t.overall_status, t.study_type, t.has_results, t.sex, "
        "t.min_age_years, t.max_age_years FROM trials t JOIN search_docs d ON d.doc_id = t.rowid"
    ).fetchall()


def test_browse_facets_count_every_stored_trial(sample_db):
    rows = _stored(sample_db)
    page = search(sample_db, "", SearchFilters(status=["completed"]), limit=5)
    completed = [r for r in rows if r[1] == "COMPLETED"]
    assert page.total == len(completed)
    assert page.facets["status"] == {"COMPLETED": len(completed)}
    types = Counter(r[2] or "UNKNOWN" for r in completed)
    assert page.facets["study_type"] == dict(types.most_common())
    children = sum(1 for r in completed if (r[5] or 0.0) <= AGE_GROUPS[0][2])
    assert page.facets["age_group"].get("CHILD", 0) == children


def test_match_facets_agree_with_the_hits(sample_db):
    """Facets are over every match: with a limit as large as the total, the hits' statuses
    are exactly the status facet."""
    page = search(sample_db, "cancer", limit=1000)
    assert 0 < page.total == len(page.hits)
    hit_status = Counter(h.overall_status or "UNKNOWN" for h in page.hits)
    assert page.facets["status"] == dict(hit_status)
    small = search(sample_db, "cancer", limit=3)
    assert small.total == page.total and small.facets == page.facets


def test_pages_are_slices_of_one_ranking(sample_db):
    whole = [h.trial_id for h in search(sample_db, "cancer", limit=40).hits]
    parts = []
    for offset in range(0, 40, 7):
        parts += [h.trial_id for h in search(sample_db, "cancer", limit=7, offset=offset).hits]
    assert parts == whole
    scores = [h.score for h in search(sample_db, "cancer", limit=40).hits]
    assert scores == sorted(scores, reverse=True)


def test_newest_first_without_query_words(sample_db):
    hits = search(sample_db, "", SearchFilters(status=["completed"]), limit=50).hits
    dates = [h.last_update_posted or "" for h in hits]
    assert dates == sorted(dates, reverse=True)


def test_patient_cues_score_like_ranking_admits(sample_db):
    """The SQL twin of `ranking.admits`: a trial that excludes the described patient scores
    `mismatch` times its plain score, one that admits them keeps it."""
    query = "a 70-year-old man with cancer"
    neutral = {h.trial_id: h.score for h in search(
        sample_db, query, limit=200, ranking=Ranking(mismatch=1.0)).hits}  # fmt: skip
    hits = search(sample_db, query, limit=200).hits
    rows = {r[0]: r[1:] for r in sample_db.conn.execute(
        "SELECT trial_id, sex, min_age_years, max_age_years FROM trials")}  # fmt: skip
    seen = set()
    for h in hits:
        ok = admits(70.0, "MALE", *rows[h.trial_id])
        seen.add(ok)
        expected = neutral[h.trial_id] * (1.0 if ok else DEFAULT.mismatch)
        assert abs(h.score - round(expected, 4)) <= 2e-4, h.trial_id
    assert seen == {True, False}


def test_browse_facets_cache_sees_new_trials(db, search_data):
    """The browse view's facets are cached, but never served stale after an ingest."""
    BROWSE_FACETS.clear()
    paths = sorted(search_data.glob("*.xml"))
    from trialscout.registry.sources import read_paths

    ingest_records(db, read_paths([str(paths[0])]), hooks=[index_trial])
    before = search(db, "", SearchFilters(study_type=["interventional", "observational"]))
    again = search(db, "", SearchFilters(study_type=["interventional", "observational"]))
    assert again.total == before.total
    ingest_records(db, read_paths([str(p) for p in paths[1:]]), hooks=[index_trial])
    after = search(db, "", SearchFilters(study_type=["interventional", "observational"]))
    stored = db.conn.execute(
        "SELECT count(*) FROM trials WHERE study_type IN ('INTERVENTIONAL', 'OBSERVATIONAL')"
    ).fetchone()[0]
    assert after.total == stored > before.total
