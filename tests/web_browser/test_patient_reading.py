"""What a patient reads, in a real Chromium: from the search box to "what rules me in or out
and what to ask" on a phone; errors next to their fields with focus; search by ID; and the
accessibility basics (skip link, contrast of at least 4.5:1, every control labelled)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

RAW = re.compile(r"\b(icg_r15|hbv_dna|xULN)\b|10\^9|\[glossary:|\[interventions")

CONTRAST_JS = """(selector) => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(selector)].map(el => {
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    return [el.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""

UNLABELLED_JS = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden' && !el.hidden)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON'
                && el.innerText.trim()))
  .map(el => el.outerHTML.slice(0, 120))"""


def _in_view(tab, selector: str) -> bool:
    return tab.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; }",
    )


@pytest.mark.parametrize("device", ["phone", "page"])
def test_search_to_what_rules_me_out_answer_first(device, request, live_server, shots):
    tab = request.getfixturevalue(device)
    width = 390 if device == "phone" else 1280
    tab.goto(live_server + "/")
    tab.fill("input[name=q]", "ZJCH-HAIC-2024")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/trials/ZJCH-HAIC-2024")
    tab.click("text=Check my eligibility >> nth=0")
    tab.wait_for_selector("form.questionnaire")
    tab.fill("input[name='lab:hbv_dna']", "5000 copies/mL")
    tab.click("#check-eligibility")
    tab.wait_for_selector("#rules-out")
    assert _in_view(tab, "#verdict")  # the answer is on screen, not 3,000 px away
    text = tab.inner_text("main")
    assert text.index("What rules you out") < text.index("Still unknown")
    assert "This trial does not take people with: Viral load limitations" in text
    assert not RAW.search(text), RAW.search(text)
    tab.screenshot(path=str(shots / f"eligibility_answer_first_{width}.png"))


def test_empty_questionnaire_counts_the_unknowns(phone, live_server):
    phone.goto(live_server + "/trials/ZJCH-HAIC-2024/eligibility")
    phone.click("#check-eligibility")
    phone.wait_for_selector("#verdict")
    headline = phone.inner_text("#verdict h2")
    assert re.match(r"Not decided yet: \d+ of \d+ criteria are still unknown", headline)
    first = phone.locator("ol.asks a").first
    first.click()  # the question links to its field in the form
    target = first.get_attribute("href")
    assert _in_view(phone, target)


def test_lab_error_sits_next_to_its_field_with_focus(page, live_server, shots):
    page.goto(live_server + "/trials/NCT04163237/eligibility")
    page.fill("input[name='lab:platelets']", "abc")
    page.click("#check-eligibility")
    page.wait_for_selector(".field-error")
    focused = page.evaluate("document.activeElement.name")
    assert focused == "lab:platelets"
    assert _in_view(page, "#q-lab-platelets .field-error")
    assert "Please enter a number" in page.inner_text("#q-lab-platelets")
    page.screenshot(path=str(shots / "eligibility_field_error_1280.png"))


def test_contact_error_keeps_the_place_and_focus(page, live_server):
    page.goto(live_server + "/trials/NCT04163237")
    page.fill("#contact input[name=name]", "A Patient")
    page.click("#send-contact")  # no email, no consent
    page.wait_for_selector("#contact .error")
    assert page.evaluate("document.activeElement.name") == "email"
    assert _in_view(page, "#contact input[name=email]")


def test_show_contact_details_stays_at_contacts(page, live_server):
    page.goto(live_server + "/trials/NCT07553767")
    page.click("#reveal-contacts")
    page.wait_for_load_state()
    assert page.url.endswith("#contacts") and _in_view(page, "#contacts")


@pytest.mark.parametrize(("query", "trial"), [("NCT04163237", "NCT04163237"),
                                              ("IIT-2024-077", "NCT07120750")])  # fmt: skip
def test_search_by_id_opens_the_trial(page, live_server, query, trial):
    page.goto(live_server + "/")
    page.fill("input[name=q]", query)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/trials/{trial}")
    assert trial in page.inner_text("main")


def test_trial_page_reads_without_residue(phone, page, live_server, shots):
    for tab, width in ((page, 1280), (phone, 390)):
        tab.goto(live_server + "/trials/ZJCH-HAIC-2024")
        text = tab.inner_text("#summary")
        assert text.lstrip().startswith("In plain language")
        assert "Who it is for" in text and not RAW.search(text)
        assert "Where does this come from?" in text
        tab.screenshot(path=str(shots / f"trial_{width}.png"))


@pytest.mark.parametrize(
    "path",
    ["/", "/?q=hepatitis+b", "/trials/ZJCH-HAIC-2024", "/trials/ZJCH-HAIC-2024/eligibility",
     "/locations?near=Hangzhou&radius_km=1000&status=any"],
)  # fmt: skip
def test_accessibility_basics(page, live_server, path):
    page.goto(live_server + path)
    assert page.locator("a.skip[href='#main']").count() == 1
    first = page.evaluate(
        "document.querySelector('a[href], button, input:not([type=hidden]), select, textarea')"
        ".className"
    )
    assert first == "skip"  # the first thing the keyboard reaches
    page.focus("a.skip")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate(UNLABELLED_JS) == []
    selector = ".badge, .muted, .chip, .error, .disclaimer, .count, .tag, p, li, label"
    low = [(c, round(r, 2)) for c, r in page.evaluate(CONTRAST_JS, selector) if r < 4.5]
    assert low == [], low


def test_print_view_and_doctor_questions(page, live_server, shots, tmp_path):
    page.goto(live_server + "/trials/ZJCH-HAIC-2024")
    page.emulate_media(media="print")
    for hidden in ("header.top", "#contact", "#notify", "#notes", "nav.actions"):
        assert not page.is_visible(hidden), hidden
    assert page.is_visible("#summary") and page.is_visible("#eligibility")
    pdf = tmp_path / "trial.pdf"
    page.pdf(path=str(pdf), format="A4")
    pages = pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")
    assert 1 <= pages <= 8, pages  # a few A4 pages
    page.emulate_media(media="screen")
    page.click("text=Questions to ask your doctor")
    page.wait_for_selector("#questions-sheet")
    page.emulate_media(media="print")
    assert not page.is_visible("[data-print]")
    assert page.locator("ol.doctor-questions li").count() >= 5
    page.screenshot(path=str(shots / "questions_print_1280.png"))


def test_offline_map_shows_the_sites(phone, live_server, shots):
    requests = []
    phone.on("request", lambda r: requests.append(r.url))
    phone.goto(live_server + "/trials/NCT07553767?near=Ningbo")
    phone.locator("#site-map").scroll_into_view_if_needed()
    assert phone.is_visible("#site-map")
    assert phone.locator("#site-map g.site circle").count() == 2  # Ningbo (3 sites), Hangzhou
    box = phone.locator("#site-map").bounding_box()
    for label in phone.locator("#site-map text").all():  # every label inside the map
        b = label.bounding_box()
        assert box["x"] <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] + 1
    assert all(u.startswith(live_server) for u in requests)  # no tiles from elsewhere
    phone.locator("#locations").screenshot(path=str(shots / "map_390.png"))
