"""The tantivy index beside the database (issue 13): built and kept current by ingest's
`fulltext` step, restartable, rebuilt when missing; filters and facets agree with SQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from trialscout.ingest import derived, pipeline, steps
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_paths
from trialscout.search import SearchFilters, fulltext, search
from trialscout.search.engine import _candidates
from trialscout.search.facets import facets
from trialscout.search.filters import normalize, where_clause
from trialscout.search.query import parse_query
from trialscout.search.ranking import DEFAULT
from trialscout.store.db import Database

SAMPLE = Path(__file__).parent.parent / "data" / "search" / "v2_sample.jsonl"
QUERIES = ("cancer", "diabetes", "hepatitis B", "liver cancer after surgery", "placebo")


def _docs(db: Database) -> int:
    h = fulltext.handle(db.conn)
    h.index.reload()
    return h.searcher().num_docs


def _trials(db: Database) -> int:
    return db.conn.execute("SELECT count(*) FROM trials").fetchone()[0]


def _totals(db: Database) -> list[int]:
    return [search(db, q).total for q in QUERIES]


def _store_only(db: Database) -> None:
    ingest_records(db, read_paths([str(SAMPLE)]), hooks=[])
    steps.run_step(db, derived.SEARCH, workers=1)


def test_ingest_builds_the_index_beside_the_database(db):
    pipeline.ingest_paths(db, [SAMPLE], workers=1)
    path = fulltext.index_dir(db.path)
    assert path == Path(db.path + ".tantivy") and (path / "meta.json").exists()
    assert _docs(db) == _trials(db) == fulltext.marked_done(db.conn) > 10
    assert search(db, "cancer").total > 0


def test_a_changed_record_replaces_its_document(db, tmp_path):
    pipeline.ingest_paths(db, [SAMPLE], workers=1)
    lines = SAMPLE.read_text().splitlines()
    first = json.loads(lines[0])
    ident = first["protocolSection"]["identificationModule"]
    old_words = ident["briefTitle"]
    ident["briefTitle"] = "Xylophonitis of the quetzal"
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    before = _docs(db)
    report = pipeline.index(db, workers=1)
    assert [r.indexed for r in report] == [0, 0, 0]  # nothing changed: nothing redone
    pipeline.ingest_paths(db, [changed], workers=1)
    assert _docs(db) == before  # replaced, not added
    assert [h.trial_id for h in search(db, "xylophonitis quetzal").hits] == [ident["nctId"]]
    assert old_words  # the old title's words only match through other fields now


def test_a_killed_step_resumes_without_duplicates(db, monkeypatch):
    _store_only(db)
    monkeypatch.setattr(steps, "PAGE", 4)

    def die(name: str, done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        steps.run_step(db, derived.fulltext_step(), workers=1, progress=die)
    assert _docs(db) == fulltext.marked_done(db.conn) == 4
    steps.run_step(db, derived.fulltext_step(), workers=1)
    assert _docs(db) == _trials(db) == fulltext.marked_done(db.conn)


def test_killed_between_tantivy_commit_and_marks_redoes_the_page(db, monkeypatch, tmp_path):
    """The tantivy commit comes first: a run killed before the marks commit redoes the page,
    and replacing by id keeps one document per trial."""
    _store_only(db)
    monkeypatch.setattr(steps, "PAGE", 4)
    real_flush = fulltext.flush

    def commit_then_die(conn) -> None:
        real_flush(conn)
        raise KeyboardInterrupt

    monkeypatch.setattr(fulltext, "flush", commit_then_die)
    with pytest.raises(KeyboardInterrupt):
        steps.run_step(db, derived.fulltext_step(), workers=1)
    assert fulltext.marked_done(db.conn) == 0 and _docs(db) == 4
    monkeypatch.setattr(fulltext, "flush", real_flush)
    steps.run_step(db, derived.fulltext_step(), workers=1)
    assert _docs(db) == _trials(db)
    clean = Database(tmp_path / "clean.db")
    pipeline.ingest_paths(clean, [SAMPLE], workers=1)
    assert _totals(db) == _totals(clean)
    clean.close()


def test_a_missing_index_is_rebuilt(tmp_path):
    path = tmp_path / "a.db"
    with Database(path) as db:
        pipeline.ingest_paths(db, [SAMPLE], workers=1)
        expected = _totals(db)
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)  # the database without its index
    with Database(copy) as db:
        assert not fulltext.index_dir(str(copy)).exists()
        assert _totals(db) == expected  # first search rebuilt it from the stored trials
        assert _docs(db) == _trials(db)
    shutil.rmtree(fulltext.index_dir(str(path)))
    with Database(path) as db:
        fulltext.forget(db.conn)
        reports = pipeline.index(db, workers=1)  # the step's begin notices and rebuilds too
        assert reports[1].name == "fulltext" and reports[1].indexed == _trials(db)
        assert _totals(db) == expected


FILTERS = [
    SearchFilters(status=["open"]),
    SearchFilters(phase=["2", "3"]),
    SearchFilters(age=8),
    SearchFilters(age=70, sex="male"),
    SearchFilters(sex="female"),
    SearchFilters(healthy_volunteers=True),
    SearchFilters(has_results=False, study_type=["interventional"]),
    SearchFilters(country="United States"),
    SearchFilters(country="China", status=["recruiting", "completed"]),
]


@pytest.mark.parametrize("f", FILTERS, ids=repr)
def test_tantivy_filters_agree_with_sql(sample_db, f):
    """Each filter selects exactly the trials SQL's `where_clause` selects (unknown ages and
    sex admit, as before)."""
    where, params = where_clause(normalize(f))
    allowed = {
        r[0]
        for r in sample_db.conn.execute(
            f"SELECT t.trial_id FROM trials t JOIN search_docs d ON d.doc_id = t.rowid "
            f"WHERE {where}",
            params,
        )
    }
    for q in ("cancer", "placebo", "hepatitis"):
        every = {h.trial_id for h in search(sample_db, q, limit=1000).hits}
        page = search(sample_db, q, f, limit=1000)
        assert {h.trial_id for h in page.hits} == every & allowed
        assert page.total == len(every & allowed)


@pytest.mark.parametrize("q", ["cancer", "placebo", "a 70 year old man with hepatitis B"])
def test_facet_aggregations_agree_with_counting_the_matches(sample_db, q):
    parsed = parse_query(q)
    for f in (SearchFilters(), SearchFilters(status=["completed"])):
        cands, _ = _candidates(sample_db.conn, parsed, normalize(f), DEFAULT)
        got, want = search(sample_db, q, f).facets, facets(cands)
        # the top-20 countries may cut a tie differently: same counts, same count per country
        got_c, want_c = got.pop("country"), want.pop("country")
        assert got == want
        assert sorted(got_c.values()) == sorted(want_c.values())
        assert all(want_c[k] == n for k, n in got_c.items() if k in want_c)


def test_relevance_and_update_sorts_page_consistently(sample_db):
    every = search(sample_db, "cancer", limit=1000, sort="last_update")
    dates = [h.last_update_posted or "" for h in every.hits]
    assert dates == sorted(dates, reverse=True)
    paged = [h.trial_id for o in (0, 3, 6) for h in
             search(sample_db, "cancer", limit=3, offset=o).hits]  # fmt: skip
    full = [h.trial_id for h in search(sample_db, "cancer", limit=9).hits]
    assert paged == full


def test_an_index_of_another_version_is_rebuilt(tmp_path, monkeypatch):
    path = tmp_path / "a.db"
    with Database(path) as db:
        pipeline.ingest_paths(db, [SAMPLE], workers=1)
        expected = _totals(db)
        fulltext.forget(db.conn)
    (fulltext.index_dir(str(path)) / "trialscout-version").write_text("0")
    with Database(path) as db:
        assert _totals(db) == expected and _docs(db) == _trials(db)
        assert (fulltext.index_dir(str(path)) / "trialscout-version").read_text() == (
            fulltext.VERSION
        )


def test_radius_search_keeps_trials_whose_sites_have_no_geo_point(sample_db):
    """Legacy records' sites borrow their city's gazetteer point (SQLite only): the index's
    box prefilter must let them through."""
    row = sample_db.conn.execute(
        "SELECT d.trial_id, s.city FROM search_sites s JOIN search_docs d ON d.doc_id = s.doc_id "
        "WHERE s.geo_source = 'gazetteer' AND s.city != '' LIMIT 1"
    ).fetchone()
    assert row is not None, "the sample should hold a legacy record placed by the gazetteer"
    trial_id, city = row
    conditions = sample_db.conn.execute(
        "SELECT conditions FROM search_docs WHERE trial_id = ?", (trial_id,)
    ).fetchone()[0]
    query = json.loads(conditions)[0]
    page = search(sample_db, query, SearchFilters(near=city, radius_km=50), limit=1000)
    assert trial_id in {h.trial_id for h in page.hits}
