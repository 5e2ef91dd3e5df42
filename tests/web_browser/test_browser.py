"""The main journeys in a real browser: search -> trial -> eligibility -> contact -> the
coordinator sees it; subscribe; add and share a note; every main page at phone width."""

from __future__ import annotations

import re

import pytest

from .conftest import COORDINATOR

pytestmark = pytest.mark.browser

TRIAL = "NCT04163237"


def test_search_open_trial_check_eligibility_contact_coordinator(page, live_server, shots):
    page.goto(live_server + "/")
    page.fill("#q", "hepatocellular carcinoma sorafenib")
    page.click("button[type=submit]")
    page.wait_for_selector(".hit")
    assert "trials found" in page.inner_text(".results h2")
    page.screenshot(path=str(shots / "search.png"), full_page=False)

    page.click(f"a[href='/trials/{TRIAL}']")
    page.wait_for_selector("#summary")
    page.wait_for_selector("#related-list ul.related li a")  # loaded after the page
    assert "not medical advice" in page.inner_text("#summary").lower() or page.is_visible(
        ".disclaimer"
    )
    page.screenshot(path=str(shots / "trial.png"), full_page=True)

    page.click("text=Check my eligibility >> nth=0")
    page.wait_for_selector("form.questionnaire")
    page.fill("input[name=age]", "52")
    page.fill("input[name='lab:platelets']", "40")
    page.click("#check-eligibility")
    page.wait_for_selector("#verdict")
    assert "does not seem to be for you" in page.inner_text("#verdict")
    page.screenshot(path=str(shots / "eligibility.png"), full_page=False)

    page.goto(f"{live_server}/trials/{TRIAL}#contact")
    page.fill("#contact input[name=name]", "Wang Fang")
    page.fill("#contact input[name=email]", "wang.fang@example.org")
    page.fill("#contact input[name=phone]", "+86 571 8888 0000")
    page.check("#contact input[name=consent]")
    page.click("#send-contact")
    page.wait_for_selector("#contact-done")
    assert "Thank you, Wang Fang" in page.inner_text("#contact-done")
    page.goto(f"{live_server}/trials/{TRIAL}")
    assert "1 patient applied" in page.inner_text("#patients-applied")

    page.goto(live_server + "/coordinator")
    page.fill("input[name=username]", COORDINATOR[0])
    page.fill("input[name=password]", COORDINATOR[1])
    page.click("#login")
    page.wait_for_selector("table.requests")
    assert "wang.fang@example.org" in page.inner_text("table.requests")
    page.screenshot(path=str(shots / "coordinator.png"), full_page=False)


def test_contact_form_shows_errors(page, live_server):
    page.goto(f"{live_server}/trials/{TRIAL}#contact")
    page.click("#send-contact")
    assert "Please give your name." in page.inner_text("#contact")


def test_subscribe(page, live_server):
    page.goto(f"{live_server}/trials/{TRIAL}#notify")
    page.fill("#notify input[name=email]", "watcher@example.org")
    page.click("#subscribe")
    page.wait_for_selector("#subscribe-done")
    assert "watcher@example.org" in page.inner_text("#subscribe-done")


def test_select_text_add_note_and_share(page, browser, live_server, shots):
    page.goto(f"{live_server}/trials/{TRIAL}")
    # select the first words of the title with the mouse, as a visitor would
    box = page.locator("h1").bounding_box()
    y = box["y"] + min(20, box["height"] / 2)
    page.mouse.move(box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, y, steps=5)
    page.mouse.up()
    page.wait_for_selector("#note-popup:not([hidden])")
    page.click("#note-popup")
    quote = page.input_value("#note-quote")
    assert 5 < len(quote) < 80 and "Combined Immunotherapy".startswith(quote[:10])
    page.fill("#note-body", "Ask the doctor about this")
    page.click("#add-note")
    page.wait_for_selector(".note")
    assert "Ask the doctor about this" in page.inner_text("#notes")

    page.fill("#share-form input[name=passcode]", "harbour-22")
    page.click("#share-notes")
    link = page.get_attribute("#share-link", "href")
    page.locator("#notes").screenshot(path=str(shots / "notes.png"))

    other = browser.new_context().new_page()  # another person, other cookies
    other.goto(f"{live_server}/trials/{TRIAL}")
    assert "Ask the doctor about this" not in other.inner_text("#notes")
    other.goto(link)
    other.fill("input[name=passcode]", "wrong-code")
    other.click("#open-shared")
    assert "Wrong passcode" in other.inner_text("main")
    other.fill("input[name=passcode]", "harbour-22")
    other.click("#open-shared")
    assert "Ask the doctor about this" in other.inner_text("main")
    other.context.close()


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("home", "/?q=hepatitis+B&status=RECRUITING"),
        ("trial", f"/trials/{TRIAL}"),
        ("trial_zjch", "/trials/ZJCH-HAIC-2024?near=Ningbo"),
        ("eligibility", f"/trials/{TRIAL}/eligibility"),
        ("locations", "/locations?near=Hangzhou&radius_km=300"),
        ("faq", "/faq"),
        ("docs", "/docs"),
    ],
)
def test_phone_layout(phone, live_server, shots, name, url):
    phone.goto(live_server + url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{url} scrolls sideways at phone width ({width}px)"
    phone.screenshot(path=str(shots / f"phone_{name}.png"), full_page=False)
    assert re.search(r"\S", phone.inner_text("main"))
