"""The map of search results: one offline SVG from web/site_map.py (the trial map's own
projection), one numbered marker per result on this page, open trials distinct, the
visitor's place; bounded work (this page's results, a bounded number of sites per trial)."""

from __future__ import annotations

import re

from trialscout.registry.model import Location, Trial
from trialscout.web import site_map


def _trial(tid: str, status: str, *places: tuple[str, float | None, float | None]) -> Trial:
    trial = Trial.from_dict({"trial_id": tid, "title": tid, "overall_status": status})
    trial.locations = [Location(facility=f"{c} Hospital", city=c, lat=la, lon=lo)
                       for c, la, lo in places]  # fmt: skip
    return trial


HANGZHOU, NINGBO, BEIJING = (30.27, 120.16), (29.87, 121.54), (39.90, 116.40)


def test_each_result_at_its_nearest_site_numbered_open_distinct():
    a = _trial("A", "RECRUITING", ("Beijing", *BEIJING), ("Ningbo", *NINGBO))
    b = _trial("B", "COMPLETED", ("Hangzhou", *HANGZHOU))
    dots = site_map.results_map([(1, a), (2, b)], lambda loc: None, NINGBO).dots
    markers = {d.number: d for d in dots if not d.you}
    assert markers[1].label == "Ningbo" and markers[1].kind == "open"  # nearest to the visitor
    assert markers[2].kind == "closed"
    assert [d.label for d in dots if d.you] == ["You"]
    for d in dots:
        assert 0 <= d.x <= site_map.WIDTH and 0 <= d.y <= site_map.HEIGHT


def test_without_a_place_the_first_located_site_and_no_you():
    a = _trial("A", "RECRUITING", ("Nowhere", None, None), ("Beijing", *BEIJING))
    dots = site_map.results_map([(1, a)], lambda loc: None, None).dots
    assert [(d.number, d.label) for d in dots] == [(1, "Beijing")]


def test_results_at_one_place_spread_on_a_ring_with_one_label():
    trials = [(i, _trial(f"T{i}", "RECRUITING", ("Hangzhou", *HANGZHOU))) for i in (1, 2, 3)]
    trials.append((4, _trial("T4", "RECRUITING", ("Beijing", *BEIJING))))
    dots = [d for d in site_map.results_map(trials, lambda loc: None, None).dots if not d.you]
    ring = [d for d in dots if d.number in (1, 2, 3)]
    for a in ring:  # no marker hides another
        for b in ring:
            assert a is b or ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 >= 16
    assert [d.label for d in dots if d.show_label] == ["Hangzhou: 1, 2, 3", "Beijing"]


def test_with_a_place_far_results_are_listed_not_drawn():
    near = _trial("N", "RECRUITING", ("Hangzhou", *HANGZHOU))
    far = _trial("F", "RECRUITING", ("Chicago", 41.88, -87.63))
    drawn = site_map.results_map([(1, near), (2, far)], lambda loc: None, NINGBO)
    assert [d.number for d in drawn.dots if not d.you] == [1] and drawn.far == [2]


def test_sites_without_coordinates_are_placed_by_city_a_bounded_number_of_times():
    calls = []

    def locate(loc):
        calls.append(loc.city)
        return None

    many = _trial("M", "RECRUITING", *[(f"City{i}", None, None) for i in range(500)])
    assert site_map.results_map([(1, many)], locate, NINGBO).dots == []
    assert len(calls) == site_map.MAX_SITES_LOCATED


def test_trial_map_still_draws_one_dot_per_place():
    trial = _trial(
        "A", "RECRUITING", ("Ningbo", *NINGBO), ("Ningbo", *NINGBO), ("Hangzhou", *HANGZHOU)
    )
    dots = site_map.site_map(trial, lambda loc: None, NINGBO)
    assert sorted(d.label for d in dots) == ["Hangzhou Hospital", "Ningbo (2 sites)", "You"]


def test_search_page_shows_the_map_of_this_pages_results(read_client):
    page = read_client.get("/", params={"q": "hepatocellular carcinoma", "near": "Hangzhou"})
    assert page.status_code == 200
    svg = page.text[
        page.text.index('id="results-map"') : page.text.index(
            "</svg>", page.text.index('id="results-map"')
        )
    ]
    numbers = [int(n) for n in re.findall(r'<text class="num"[^>]*>(\d+)</text>', svg)]
    hits = page.text.count('class="hit"')
    assert numbers and len(numbers) <= hits and max(numbers) <= hits  # this page only
    assert 'class="marker open"' in svg and '<g class="you">' in svg
    listed = [int(n) for n in re.findall(r'class="map-number"[^>]*>Map (\d+)<', page.text)]
    assert sorted(listed) == sorted(numbers)  # the list says which marker is which
    assert "http" not in svg  # nothing fetched from elsewhere


def test_no_map_without_results(read_client):
    page = read_client.get("/", params={"q": "zzzzqqqq"})
    assert 'id="results-map"' not in page.text
