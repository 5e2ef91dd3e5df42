"""search(), resolve_place(), similar_trials() and the index hook on real records."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import SourceRecord, read_paths
from trialscout.search import (
    InvalidFilter,
    PlaceNotFound,
    SearchError,
    SearchFilters,
    resolve_place,
    search,
    similar_trials,
)
from trialscout.search.geo import haversine_km
from trialscout.search.index import after_ingest, index_trial, rebuild, split_criteria
from trialscout.store.trials import TrialNotFound, TrialStore


def ids(page):
    return [h.trial_id for h in page.hits]


def test_synonyms_find_trials_that_never_use_the_typed_words(sample_db):
    page = search(sample_db, "HCC")
    assert "NCT00460681" in ids(page)  # "Small Hepatocellular Carcinoma"
    assert any("hepatocellular carcinoma" in n for n in page.expanded_query)
    assert page.hits[0].snippet and "[" in page.hits[0].snippet


def test_patient_query_ranks_the_right_trial_first(sample_db):
    page = search(sample_db, "liver cancer after surgery hepatitis B")
    # thymopentin after curative resection of HBV-related HCC, next to another HCC trial
    assert "NCT00460681" in ids(page)[:2]
    assert all(
        "hepatocellular" in " ".join(h.conditions).lower() or "liver" in h.title.lower()
        for h in page.hits[:2]
    )


def test_and_falls_back_to_any_when_nothing_has_every_word(sample_db):
    page = search(sample_db, "hepatocellular carcinoma zebrafishology")
    assert page.total > 0
    assert any("any of the words" in n for n in page.expanded_query)


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (SearchFilters(status=["recruiting"]), lambda h, t: t.overall_status == "RECRUITING"),
        (SearchFilters(phase=["2"]), lambda h, t: "PHASE2" in t.phases),
        (SearchFilters(study_type=["observational"]), lambda h, t: t.study_type == "OBSERVATIONAL"),
        (SearchFilters(sex="male"), lambda h, t: t.eligibility.sex in (None, "ALL", "MALE")),
        (SearchFilters(age=70), lambda h, t: (t.eligibility.min_age_years or 0) <= 70 <= (t.eligibility.max_age_years or 999)),
        (SearchFilters(healthy_volunteers=True), lambda h, t: t.eligibility.healthy_volunteers),
        (SearchFilters(has_results=True), lambda h, t: t.has_results),
        (SearchFilters(country="China"), lambda h, t: any(loc.country == "China" for loc in t.locations)),
        (SearchFilters(country="Korea, Republic of"), lambda h, t: any(loc.country in ("South Korea", "Korea, Republic of") for loc in t.locations)),
        (SearchFilters(city="beijing"), lambda h, t: any(loc.city == "Beijing" for loc in t.locations)),
    ],
)  # fmt: skip
def test_every_filter_holds_for_every_hit(sample_db, filters, check):
    page = search(sample_db, "", filters, limit=100)
    assert page.total > 0 and page.total == len(page.hits)
    trials = TrialStore(sample_db).get_many(ids(page))
    assert all(check(h, trials[h.trial_id]) for h in page.hits)
    unfiltered = search(sample_db, "", SearchFilters(age=130), limit=100)  # age 130: no max
    assert page.total < 28 or unfiltered.total < 28


def test_facets_count_the_whole_result_not_the_page(sample_db):
    page = search(sample_db, "", SearchFilters(age=40), limit=2)
    assert len(page.hits) == 2
    assert sum(page.facets["status"].values()) == page.total
    assert sum(page.facets["has_results"].values()) == page.total
    assert set(page.facets) == {
        "status",
        "phase",
        "study_type",
        "has_results",
        "country",
        "sex",
        "age_group",
    }
    assert sum(page.facets["sex"].values()) == page.total


def test_paging_and_sorting(sample_db):
    full = search(sample_db, "cancer OR leukemia OR lung", limit=50)
    first, second = (
        search(sample_db, "cancer OR leukemia OR lung", limit=3, offset=o) for o in (0, 3)
    )
    assert ids(first) + ids(second) == ids(full)[:6]
    newest = search(sample_db, "cancer", sort="last_update", limit=50)
    dates = [h.last_update_posted or "" for h in newest.hits]
    assert dates == sorted(dates, reverse=True)


def test_gazetteer_resolves_places_from_registry_sites(sample_db):
    beijing = resolve_place(sample_db, "Beijing")
    assert beijing.kind == "city" and abs(beijing.lat - 39.9) < 0.2
    assert resolve_place(sample_db, "beijing, china").name.startswith("Beijing")
    assert resolve_place(sample_db, "China").kind == "country"
    with pytest.raises(PlaceNotFound, match="Atlantis"):
        resolve_place(sample_db, "Atlantis")


def test_distance_filter_and_sort(sample_db):
    page = search(sample_db, "", SearchFilters(near="Beijing", radius_km=1500), sort="distance")
    assert page.total > 0 and page.place.startswith("Beijing")
    dists = [h.distance_km for h in page.hits]
    assert all(d is not None and d <= 1500 for d in dists) and dists == sorted(dists)
    assert page.hits[0].nearest_site
    trial = TrialStore(sample_db).get(page.hits[0].trial_id).trial
    nearest = min(haversine_km(39.9075, 116.39723, s.lat, s.lon) for s in trial.locations if s.lat)
    assert abs(nearest - page.hits[0].distance_km) < 5


def test_legacy_sites_get_coordinates_from_the_gazetteer(sample_db):
    # NCT00460850 (legacy XML, no geo points) has sites in Istanbul, a city API v2 records locate
    page = search(sample_db, "", SearchFilters(lat=41.01, lon=28.97, radius_km=50))
    assert "NCT00460850" in ids(page)


@pytest.mark.parametrize(
    ("query", "filters", "kwargs", "error"),
    [
        ("", None, {}, "empty query"),
        ("x" * 5000, None, {}, "too long"),
        ("hcc", SearchFilters(near="Narnia"), {}, "unknown place 'Narnia'"),
        ("hcc", SearchFilters(country="Wakanda"), {}, "unknown country 'Wakanda'"),
        ("hcc", None, {"sort": "distance"}, "needs a place"),
        ("hcc", None, {"sort": "popularity"}, "unknown sort"),
        ("hcc", None, {"limit": 0}, "limit"),
        ("hcc", None, {"offset": -1}, "offset"),
    ],
)
def test_bad_input_gives_clear_errors(sample_db, query, filters, kwargs, error):
    with pytest.raises(SearchError, match=error):
        search(sample_db, query, filters, **kwargs)
    assert issubclass(InvalidFilter, ValueError)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(alphabet=st.sampled_from(list("hcc liver \"*()-:^NEAR AND OR NOT{}[],.'")), max_size=60)
)
def test_no_query_reaches_sqlite_as_syntax(sample_db, text):
    try:
        search(sample_db, text)
    except SearchError as exc:
        assert "search failed" not in str(exc)


def test_similar_trials_give_reasons(sample_db):
    found = similar_trials(sample_db, "NCT00460681", limit=3)
    assert found and all(s.trial_id != "NCT00460681" for s in found)
    assert any("same condition: hepatocellular carcinoma" in s.reason for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    with pytest.raises(TrialNotFound):
        similar_trials(sample_db, "NCT99999999")


def test_changed_version_is_reindexed_not_duplicated(loaded_db, search_data):
    db = loaded_db
    before = search(db, "thymopentin").total
    trial = next(r.trial for r in read_paths([str(search_data / "NCT00460681.xml")]))
    trial.brief_title = "Zanubrutinibology of something new"
    trial.last_update_posted = "2099-01-01"
    ingest_records(db, [SourceRecord("test", trial)], hooks=[index_trial])
    assert search(db, "zanubrutinibology").total == 1
    assert search(db, "thymopentin").total == before  # still in its summary, counted once
    sites = db.conn.execute("SELECT count(*) FROM search_sites").fetchone()[0]
    after_ingest(db)  # fill late coordinates + merge the FTS segments: results unchanged
    assert search(db, "zanubrutinibology").total == 1
    assert rebuild(db) == 28
    assert db.conn.execute("SELECT count(*) FROM search_sites").fetchone()[0] == sites


def test_split_criteria():
    inc, exc = split_criteria("Inclusion Criteria:\n- HCC\n\nKey Exclusion Criteria:\n- HIV")
    assert "HCC" in inc and "HIV" in exc and "HIV" not in inc
    assert split_criteria("no headers at all") == ("no headers at all", "")


def test_age_group_and_distance_facets(sample_db):
    from trialscout.search import SearchFilters
    from trialscout.search.engine import AGE_GROUPS
    from trialscout.store.trials import TrialStore

    page = search(sample_db, "cancer", limit=100)
    trials = TrialStore(sample_db).get_many([h.trial_id for h in page.hits])
    adults = sum(
        1 for t in trials.values()
        if (t.eligibility.min_age_years or 0) <= AGE_GROUPS[1][2]
        and (t.eligibility.max_age_years if t.eligibility.max_age_years is not None else 200) >= 18
    )  # fmt: skip
    assert page.total <= 100 and page.facets["age_group"]["ADULT"] == adults
    site = next(
        loc for t in trials.values() for loc in t.locations if loc.lat is not None
    )  # a real site's point: its trial is within 10 km of it
    near = search(
        sample_db, "cancer", SearchFilters(lat=site.lat, lon=site.lon, radius_km=500), limit=100
    )
    bands = near.facets["distance"]
    assert bands["within 10 km"] >= 1 and bands["within 500 km"] == near.total
    assert list(bands.values()) == sorted(bands.values())
