"""/locations: open trials by default, a status filter, every result reachable page by page,
country names as written in an atlas."""

from __future__ import annotations

import re

OPEN = {"recruiting", "not_yet_recruiting", "enrolling_by_invitation"}


def _ids(page: str) -> list[str]:
    return re.findall(r'class="hit-title" href="/trials/([^"?]+)', page)


def test_open_trials_by_default_with_a_way_to_see_all(client):
    page = client.get("/locations", params={"near": "Hangzhou", "radius_km": 1000}).text
    statuses = set(re.findall(r'class="badge status-(\w+)', page))
    assert statuses and statuses <= OPEN
    assert "Include closed trials" in page
    every = client.get("/locations", params={"near": "Hangzhou", "radius_km": 1000,
                                             "status": "any"}).text  # fmt: skip
    assert set(re.findall(r'class="badge status-(\w+)', every)) - OPEN


def test_status_filter(client):
    page = client.get(
        "/locations", params={"near": "Hangzhou", "radius_km": 1000, "status": "COMPLETED"}
    ).text
    assert set(re.findall(r'class="badge status-(\w+)', page)) == {"completed"}


def test_every_result_is_reachable_page_by_page(client):
    url = "/locations?near=Hangzhou&radius_km=1000&status=any"
    first = client.get(url).text
    total = int(re.search(r"<h2>(\d+) trials near", first).group(1))
    seen, page = [], first
    while True:
        seen += _ids(page)
        nxt = re.search(r'id="next-page" href="([^"]+)"', page)
        if not nxt:
            break
        page = client.get(nxt.group(1).replace("&amp;", "&")).text
    assert total > 20 and len(seen) == total and len(set(seen)) == total


def test_country_names_are_capitalised(client):
    page = client.get("/locations").text
    names = re.findall(r'<a href="/\?country=[^"]+">([^<]+)</a>', page)
    assert "China" in names and all(n[0].isupper() for n in names)
