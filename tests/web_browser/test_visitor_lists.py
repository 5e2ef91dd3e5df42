"""Saved trials and compare, share links (list, copy, revoke) and the map of search results,
in a real Chromium at desktop and phone width; screenshots of /saved compare and the search
map at 1280 and 390 px."""

from __future__ import annotations

import pytest

from .test_patient_reading import CONTRAST_JS, UNLABELLED_JS

pytestmark = pytest.mark.browser

COMPARE = ["ZJCH-HAIC-2024", "NCT07553767", "NCT04163237"]


def _readable(tab) -> None:
    """No sideways scroll, every control labelled, text contrast at least 4.5:1."""
    assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]
    assert tab.evaluate(UNLABELLED_JS) == []
    selector = ".badge, .muted, .chip, .error, .disclaimer, .count, p, li, label, th, td"
    low = [(c, round(r, 2)) for c, r in tab.evaluate(CONTRAST_JS, selector) if r < 4.5]
    assert low == [], low


@pytest.mark.parametrize("device", ["page", "phone"])
def test_save_then_compare_side_by_side(device, request, live_server, shots):
    tab = request.getfixturevalue(device)
    width = 390 if device == "phone" else 1280
    for tid in COMPARE:  # Save on the trial page: a plain form, back to the same place
        tab.goto(f"{live_server}/trials/{tid}")
        tab.click(f"#save-{tid} button.save")
        tab.wait_for_selector(f"#save-{tid} button.saved")
        assert tab.url.endswith(f"/trials/{tid}#save-{tid}")
    tab.click("header.top >> text=Saved trials")
    assert tab.locator("input[name=ids]").count() == 3
    tab.check(f"input[name=ids][value='{COMPARE[0]}']")
    tab.check(f"input[name=ids][value='{COMPARE[1]}']")
    tab.fill("#compare-form input[name=near]", "Ningbo")
    tab.click("#compare")
    tab.wait_for_selector("#compare-table")
    assert tab.locator("#compare-table thead th[scope=col] a").count() == 2
    assert "km" in tab.inner_text("#compare-table")
    assert tab.locator("#compare-table .chip").count() >= 2
    _readable(tab)
    tab.screenshot(path=str(shots / f"saved_compare_{width}.png"), full_page=True)


def test_saved_list_is_this_visitors_own(browser, live_server):
    first = browser.new_context().new_page()
    first.goto(f"{live_server}/trials/{COMPARE[0]}")
    first.click(f"#save-{COMPARE[0]} button.save")
    first.wait_for_selector(f"#save-{COMPARE[0]} button.saved")
    other = browser.new_context().new_page()
    other.goto(f"{live_server}/saved")
    assert other.is_visible("#saved-empty")
    first.context.close()
    other.context.close()


def test_share_link_copy_list_and_revoke(page, browser, live_server):
    trial = COMPARE[1]
    page.goto(f"{live_server}/trials/{trial}")
    page.fill("#note-body", "Ask about the scan dates")
    page.click("#add-note")
    page.wait_for_selector(".note")
    page.fill("#share-form input[name=passcode]", "harbour-22")
    page.select_option("#share-form select[name=expires]", "1")
    page.click("#share-notes")
    link = page.input_value("#share-link-field")
    assert link.startswith(live_server + "/shared/")
    page.click("button[data-copy]")  # visible only with JavaScript
    page.wait_for_function("document.querySelector('.copy-status').textContent.length > 0")
    assert page.evaluate("document.activeElement.id") == "share-link-field"  # selected for copy
    _readable(page)
    page.goto(f"{live_server}/trials/{trial}")  # come back later (a reload would re-post)
    listed = page.inner_text("#share-links")
    assert link.rsplit("/", 1)[1] not in page.content()  # the whole link is gone after reload
    assert "Active" in listed and "expires" in listed and "never opened" in listed
    page.click("#share-links button.revoke")
    page.wait_for_url("**#share-links")
    assert "Revoked" in page.inner_text("#share-links")
    other = browser.new_context().new_page()
    response = other.goto(link)
    assert response.status == 410
    assert "revoked by the person who made it" in other.inner_text("main")
    other.context.close()


def test_honest_wait_message_after_wrong_guesses(page, browser, live_server):
    trial = COMPARE[2]
    page.goto(f"{live_server}/trials/{trial}")
    page.fill("#note-body", "A note to share")
    page.click("#add-note")
    page.wait_for_selector(".note")
    page.fill("#share-form input[name=passcode]", "harbour-22")
    page.click("#share-notes")
    link = page.input_value("#share-link-field")
    guesser = browser.new_context().new_page()
    guesser.goto(link)
    for i in range(3):
        guesser.fill("input[name=passcode]", f"guess-{i}")
        guesser.click("#open-shared")
        assert "Wrong passcode" in guesser.inner_text("main")
    guesser.fill("input[name=passcode]", "harbour-22")  # right, but during the wait
    guesser.click("#open-shared")
    text = guesser.inner_text("main")
    assert "Too many tries: wait" in text and "Wrong passcode" not in text
    guesser.context.close()


@pytest.mark.parametrize("device", ["page", "phone"])
def test_map_of_search_results(device, request, live_server, shots):
    tab = request.getfixturevalue(device)
    width = 390 if device == "phone" else 1280
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(f"{live_server}/?q=liver&near=Hangzhou&sort=distance")
    tab.wait_for_selector("#results-map")
    markers = tab.locator("#results-map g.marker").count()
    assert 1 <= markers <= tab.locator("li.hit").count()
    assert tab.locator("#results-map g.marker.open").count() >= 1
    assert tab.locator("#results-map g.you").count() == 1
    box = tab.locator("#results-map").bounding_box()
    for label in tab.locator("#results-map text.place").all():  # every label inside the map
        b = label.bounding_box()
        assert box["x"] - 1 <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] + 1
    tab.click("#results-map-box > summary")  # collapsible
    assert not tab.is_visible("#results-map")
    tab.click("#results-map-box > summary")
    assert all(u.startswith(live_server) for u in requests)  # no tiles, no network
    _readable(tab)
    tab.locator("#results-map-box").screenshot(path=str(shots / f"search_map_{width}.png"))
