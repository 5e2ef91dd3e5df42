"""Pages in process: every URL renders, the trial page has every section, errors are clear."""

from __future__ import annotations

import re

import pytest

PAGES = [
    ("/", "Find a clinical trial"),
    ("/?q=hepatocellular+carcinoma", "trials found"),
    ("/?q=hepatitis+B&status=RECRUITING&phase=PHASE2", "trials found"),
    ("/?q=liver&near=Hangzhou&sort=distance", "near Hangzhou"),
    ("/trials/NCT04163237", "Combined Immunotherapy"),
    ("/trials/nct04163237", "Combined Immunotherapy"),
    ("/trials/ZJCH-HAIC-2024", "ZJCH-HAIC-2024"),
    ("/trials/NCT07553767?near=Ningbo", "km"),
    ("/locations", "Trials by location"),
    ("/locations?near=Hangzhou&radius_km=200", "near Hangzhou"),
    ("/faq", "What is a clinical trial?"),
    ("/docs", "/api/v1/search"),
    ("/coordinator/login", "Coordinator sign-in"),
    ("/trials/NCT04163237/eligibility", "Check my eligibility"),
]


@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_page_renders(read_client, url, expected):
    response = read_client.get(url)
    assert response.status_code == 200, response.text[:500]
    assert expected in response.text
    assert response.headers["content-type"].startswith("text/html")


TRIAL_SECTIONS = [
    'id="summary"',
    "In plain language",
    "not medical advice",
    'id="basic"',
    "Brief summary",
    'id="conditions"',
    "As listed by the registrant",
    'id="arms"',
    'id="design"',
    'id="outcomes"',
    'id="eligibility"',
    'id="locations"',
    'id="contacts"',
    'id="contact"',
    'id="notify"',
    'id="sponsor"',
    'id="identifiers"',
    'id="timeline"',
    "Estimated completion",
    'id="related"',
    'id="patients-applied"',
    'id="notes"',
]


@pytest.mark.parametrize("trial_id", ["NCT02724163", "NCT03863535"])
def test_trial_page_has_every_section(read_client, trial_id):
    html = read_client.get(f"/trials/{trial_id}").text
    missing = [s for s in TRIAL_SECTIONS if s not in html]
    assert not missing, missing


def test_trial_page_for_reference_trial_without_nct(read_client):
    html = read_client.get("/trials/ZJCH-HAIC-2024").text
    assert "Hangzhou" in html and "Jennifer Cobb" in html


def test_search_results_show_status_phase_conditions_and_pagination(read_client):
    html = read_client.get("/?q=hepatitis").text
    assert 'class="hit"' in html and "Page 1 of" in html and 'rel="next"' in html
    assert "Updated" in html and 'class="facets"' in html
    page2 = read_client.get("/?q=hepatitis&offset=20").text
    assert "Page 2 of" in page2 and 'rel="prev"' in page2


def test_search_with_bad_place_explains(read_client):
    html = read_client.get("/?q=liver&near=Nowhereville").text
    assert "unknown place" in html


def test_distance_from_place_listed_on_trial_page(read_client):
    html = read_client.get("/trials/NCT07553767?near=Hangzhou").text
    assert 'class="distance"' in html


def test_unknown_trial_is_a_404_page(read_client):
    response = read_client.get("/trials/NCT99999999")
    assert response.status_code == 404
    assert "no trial" in response.text and "<html" in response.text


def test_security_headers(read_client):
    headers = read_client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "ts_visitor" in headers.get("set-cookie", "")
    assert "httponly" in headers["set-cookie"].lower()


def test_query_text_is_escaped(read_client):
    html = read_client.get("/", params={"q": '<script>alert("x")</script>'}).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_contacts_are_masked_until_asked(client):
    from .conftest import csrf_of

    html = client.get("/trials/NCT00001971").text
    assert "435-6121" not in html and "•••" in html
    token = csrf_of(client, "/trials/NCT00001971")
    shown = client.post("/trials/NCT00001971/contacts", data={"csrf_token": token})
    assert shown.status_code == 200
    assert "435-6121" in shown.text


def test_static_assets_served(read_client):
    assert read_client.get("/static/app.css").status_code == 200
    assert "note-popup" in read_client.get("/static/app.js").text


def test_related_trials_fragment_then_inline(client):
    page = client.get("/trials/NCT04163237").text
    assert 'data-src="/trials/NCT04163237/related?fragment=1"' in page
    fragment = client.get("/trials/NCT04163237/related?fragment=1").text
    assert (
        "<html" not in fragment and 'class="related"' in fragment and "same condition" in fragment
    )
    assert "same condition" in client.get("/trials/NCT04163237/related").text
    # now cached: the trial page shows them inline
    assert 'class="related"' in client.get("/trials/NCT04163237").text


def test_long_site_lists_fold(read_client):
    html = read_client.get("/trials/NCT02724163?near=Melbourne").text
    assert "Show all 68 sites" in html
    first = html.index("Monash Children")
    assert first < html.index("Show all 68 sites")  # nearest sites first, before the fold


def test_trial_page_chips_read_as_people_write_them(client):
    page = client.get("/trials/ZJCH-HAIC-2024").text
    chips = re.findall(r'<span class="chip">([^<]*)</span>', page)
    assert "HBV DNA above 2,000 copies/mL" in chips  # the trial's own number and unit
    assert not [c for c in chips if re.search(r"_|10\^|xULN|\b1$", c)], chips
