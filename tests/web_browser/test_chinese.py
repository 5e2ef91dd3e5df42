"""The Chinese interface in a real Chromium: the switch on the search page, then the search
results, a trial page and an eligibility result, with no English interface wording left in the
main landmark. English that remains must be registry text (it stays as registered): every
English word run on the page is looked up in the trial's own record from the API."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

pytestmark = pytest.mark.browser

TRIAL = "ZJCH-HAIC-2024"
HAN = re.compile(r"[\u4e00-\u9fff]")
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z](?:[ ,/&-]+[A-Za-z][A-Za-z'’-]*[A-Za-z])*")
# Names that are the same in Chinese pages (brand, abbreviations, units, score systems)
KEPT = {
    "trialscout",
    "api",
    "ecog",
    "bclc",
    "child-pugh",
    "karnofsky",
    "nyha",
    "alt",
    "ast",
    "afp",
    "inr",
    "icg-r",
    "hbv dna",
    "hbsag",
    "hbeag",
    "hcv rna",
    "icg-r15",
    "uln",
    "tace",
    "haic",
    "tips",
    "atom",
    "copies/ml",
    "iu/ml",
    "g/dl",
    "g/l",
    "mg/dl",
    "µmol/l",
    "mmol/l",
    "ml/min",
    "km",
    "nct",
    "mri",
    "ct",
    "hcc",
    "pbc",
    "hiv",
    "egfr",
    "apt",
    "aptt",
    "eu",
    "na",
}

TEXTS_JS = """() => {
  const main = document.querySelector('main');
  const out = [];
  const walk = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, textarea, option:not(:checked)')) continue;
    const t = n.textContent.trim();
    if (t) out.push(t);
  }
  for (const el of main.querySelectorAll('[placeholder], [aria-label], [title]')) {
    for (const a of ['placeholder', 'aria-label', 'title']) {
      const v = el.getAttribute(a);
      if (v) out.push(v);
    }
  }
  return out;
}"""


def _registry_text(base: str, path: str) -> str:
    """Every string in the API's JSON for the page's records: registry text, lower case."""
    with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310 (local)
        data = json.load(response)
    strings: list[str] = []

    def collect(value) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                strings.append(str(k))
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    collect(data)
    return "\n".join(strings).lower()


def _linked_records(tab, base: str) -> str:
    """The registry text of the page's trial and of every trial it links to."""
    paths = tab.eval_on_selector_all(
        "main a[href^='/trials/']",
        "els => els.map(a => a.pathname.split('/').slice(0, 3).join('/'))",
    )
    here = "/" + "/".join(tab.url.split("/")[3:5]).split("?")[0]
    found = {p for p in [*paths, here] if p.startswith("/trials/")}
    return "".join(_registry_text(base, "/api/v1" + p) for p in sorted(found))


def _in(phrase: str, registry: str) -> bool:
    bounded = r"(?<![a-z])" + re.escape(phrase) + r"(?![a-z])"
    return phrase in KEPT or re.search(bounded, registry) is not None


def _english_left(tab, registry: str) -> list[str]:
    """English word runs on the page that are neither registry text (found whole, as words)
    nor kept names; a run the page joined from registry items ('a, b') is checked per item."""
    left = []
    for text in tab.evaluate(TEXTS_JS):
        for run in WORDS.findall(text):
            low = run.lower().strip(" ,/&-")
            if re.fullmatch(r"[a-z]{1,2}", low) or _in(low, registry):
                continue
            if all(_in(p, registry) for p in re.split(r"\s*[,/&]\s*", low) if p):
                continue
            left.append(run)
    return sorted(set(left))


def _switch_to_chinese(tab, base: str) -> None:
    tab.goto(base + "/")
    assert tab.get_attribute("html", "lang") == "en"
    tab.click("#lang-zh")
    tab.wait_for_function("document.documentElement.lang === 'zh-CN'")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_chinese_search_trial_and_eligibility(device, request, live_server, shots):
    tab = request.getfixturevalue(device)
    width = 390 if device == "phone" else 1280
    _switch_to_chinese(tab, live_server)
    assert "查找临床试验" in tab.inner_text("main")
    assert tab.locator("#lang-en").count() == 1  # the way back is there

    tab.fill("input[name=q]", "hepatocellular carcinoma")
    tab.keyboard.press("Enter")
    tab.wait_for_selector("ol.hits")
    assert tab.get_attribute("html", "lang") == "zh-CN"  # remembered across pages
    registry = _linked_records(tab, live_server)
    left = _english_left(tab, registry)
    assert not left, (tab.url, left)
    tab.screenshot(path=str(shots / f"search_zh_{width}.png"))

    tab.goto(live_server + f"/trials/{TRIAL}")
    tab.wait_for_selector("#related ul.related")  # related trials arrive after the page
    registry = _linked_records(tab, live_server)
    registry += _registry_text(live_server, f"/api/v1/trials/{TRIAL}/criteria")
    assert tab.inner_text("#summary h2") == "通俗解读"
    left = _english_left(tab, registry)
    assert not left, (tab.url, left)
    tab.screenshot(path=str(shots / f"trial_zh_{width}.png"))

    tab.click("a.button[href$='/eligibility'] >> nth=0")
    tab.wait_for_selector("form.questionnaire")
    tab.fill("input[name='lab:hbv_dna']", "5000 copies/mL")
    tab.click("#check-eligibility")
    tab.wait_for_selector("#rules-out")
    text = tab.inner_text("main")
    assert text.index("哪些条件把您排除在外") < text.index("尚不确定")
    left = _english_left(tab, registry)
    assert not left, (tab.url, left)
    tab.screenshot(path=str(shots / f"eligibility_zh_{width}.png"))


def test_browser_language_chooses_chinese_and_switch_back(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(live_server + "/faq")
        assert tab.get_attribute("html", "lang") == "zh-CN"
        assert "什么是临床试验" in tab.inner_text("main")
        tab.click("#lang-en")
        tab.wait_for_function("document.documentElement.lang === 'en'")
        assert tab.url.endswith("/faq")
        tab.goto(live_server + "/")  # the choice is remembered over the browser's language
        assert tab.get_attribute("html", "lang") == "en"
    finally:
        context.close()
