"""The trial page's summary and criteria as a patient reads them: who / what / how long first,
sources behind a toggle, no empty sections, no contradiction, every criterion grouped."""

from __future__ import annotations

import re

from trialscout.ingest.criteria_store import load_criteria
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore
from trialscout.web import summary_view


def _summary_html(page: str) -> str:
    return page[page.index('id="summary"') : page.index('id="basic"')]


def test_summary_opens_with_who_what_how_long(client):
    html = _summary_html(client.get("/trials/ZJCH-HAIC-2024").text)
    lead = re.findall(r"<p>([^<]+)</p>", html.split('class="lead"')[1])[:3]
    assert lead[0].startswith("Who it is for: people aged 18 to 75")
    assert lead[1].startswith("What is tested: Hepatic arterial infusion chemotherapy")
    assert lead[2].startswith("For how long:")


def test_sources_only_behind_the_toggle(client):
    html = _summary_html(client.get("/trials/NCT07553767").text)
    body, sources = html.split('<details class="sources"')
    assert not re.search(r"\[(glossary:|interventions|criteria|eligibility)", body)
    assert "Where does this come from?" in sources and "glossary (tenofovir)" in sources


def test_no_empty_sections_and_no_cut_rules(client):
    html = _summary_html(client.get("/trials/ZJCH-HAIC-2024").text)
    titles = re.findall(r"<h3>([^<]+)</h3>", html)
    assert "What this could lead to" not in titles  # empty for this record
    assert "more rules" not in html
    for title in titles:  # every shown heading has a sentence after it
        after = html.split(f"<h3>{title}</h3>")[1]
        assert after.lstrip().startswith("<p>"), title


def test_every_criterion_is_listed_grouped(client, web_db_path):
    page = client.get("/trials/ZJCH-HAIC-2024").text
    section = page[page.index('id="eligibility"') : page.index('id="locations"')]
    with Database(web_db_path) as db:
        parsed = load_criteria(db, TrialStore(db).get("ZJCH-HAIC-2024").trial.trial_id)
    assert section.count('<span class="box"') == len(parsed["criteria"])
    assert "<h4>Lab results</h4>" in section and "<h4>Treatments</h4>" in section


def test_missing_phase_and_status_say_not_stated(client):
    page = client.get("/trials/ZJCH-HAIC-2024").text  # the record gives no phase
    assert "Phase not stated" in page and "Not applicable" not in page


def test_contradicting_no_side_effects_sentence_is_dropped():
    summary = {"sections": [{"title": "What could go wrong", "sentences": [
        {"text": "Tenofovir can cause nausea.", "source": "glossary:tenofovir"},
        {"text": "This summary lists no side effects for antiviral drugs.", "source": "x"},
        {"text": "This summary lists no side effects for surgery.", "source": "y"},
    ]}, {"title": "What this could lead to", "sentences": []}]}  # fmt: skip
    shown = summary_view.sections(summary)
    assert [s["title"] for s in shown] == ["What could go wrong"]
    texts = [s["text"] for s in shown[0]["sentences"]]
    assert "This summary lists no side effects for antiviral drugs." not in texts
    assert "This summary lists no side effects for surgery." in texts


def test_source_labels_are_words():
    assert summary_view.source_label("criteria[1].rules[0]") == "the registry record: criterion 2"
    assert "glossary" in summary_view.source_label("glossary:phase PHASE1")


def test_table_of_contents_links_to_sections_that_exist(client):
    for tid in ("ZJCH-HAIC-2024", "NCT04163237"):
        page = client.get(f"/trials/{tid}").text
        toc = page.split('<nav class="toc"')[1].split("</nav>")[0]
        anchors = re.findall(r'href="#([a-z]+)"', toc)
        assert len(anchors) >= 8
        assert all(f'id="{a}"' in page for a in anchors), anchors


def test_offline_map_of_the_sites(client):
    page = client.get("/trials/NCT07553767", params={"near": "Ningbo"}).text
    svg = page.split('<svg class="site-map"')[1].split("</svg>")[0]
    assert svg.count('<g class="site">') == 2 and svg.count('<g class="you">') == 1
    assert "Ningbo (3 sites)" in svg  # three hospitals in one city: one dot, one label
    xs = [float(x) for x in re.findall(r'cx="([\d.-]+)"', svg)]
    assert all(0 <= x <= 640 for x in xs)
    assert "http" not in svg  # drawn here: no tiles, no network
