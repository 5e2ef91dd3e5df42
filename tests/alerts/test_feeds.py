"""Atom feeds validate against RFC 4287's required elements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from alerts_helpers import ALERTS_DATA, ingest, v2_earlier_version

from trialscout.alerts.changes import record_changes
from trialscout.alerts.feeds import search_feed, trial_feed
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_path
from trialscout.store.trials import TrialNotFound

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")


def validate_atom(text: str) -> ET.Element:
    """RFC 4287 checks: well-formed; feed and entries carry exactly one id (an IRI), title and
    updated (RFC 3339); an author on the feed or on every entry; link elements have href;
    entry ids are unique; a feed needs a rel=self link (recommended, we require it)."""
    root = ET.fromstring(text.encode())  # raises on malformed XML
    assert root.tag == f"{A}feed"

    def one(el: ET.Element, tag: str) -> ET.Element:
        found = el.findall(f"{A}{tag}")
        assert len(found) == 1, f"{el.tag} needs exactly one atom:{tag}, has {len(found)}"
        return found[0]

    for el in [root, *root.findall(f"{A}entry")]:
        assert IRI.match(one(el, "id").text or ""), one(el, "id").text
        assert (one(el, "title").text or "").strip()
        assert RFC3339.match(one(el, "updated").text or "")
        for link in el.findall(f"{A}link"):
            assert link.get("href"), "atom:link needs href"
    feed_author = root.findall(f"{A}author")
    for entry in root.findall(f"{A}entry"):
        assert feed_author or entry.findall(f"{A}author")
        assert (
            entry.find(f"{A}link[@rel='alternate']") is not None
            or entry.find(f"{A}content") is not None
        )
    for author in feed_author:
        assert (one(author, "name").text or "").strip()
    assert root.find(f"{A}link[@rel='self']") is not None
    ids = [e.find(f"{A}id").text for e in root.findall(f"{A}entry")]
    assert len(ids) == len(set(ids))
    return root


def test_trial_feed_is_valid_atom_with_one_entry_per_update(db, tmp_path):
    ingest(db, v2_earlier_version(tmp_path))
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    root = validate_atom(trial_feed(db, "nct05923281", base_url="https://trials.example.org"))
    entries = root.findall(f"{A}entry")
    assert [e.find(f"{A}title").text for e in entries] == [
        "NCT05923281: Status: Not yet recruiting -> Recruiting",
        "NCT05923281: New trial: A Phase III Confirmatory Study of K-877 (Pemafibrate) in "
        "Patients With Hypercholesterolemia and Statin Intolerance",
    ]
    summary = entries[0].find(f"{A}summary").text
    assert "- New site: Nakayama Clinic, Aichi, Japan (Recruiting)" in summary
    assert (
        entries[0].find(f"{A}link").get("href") == "https://trials.example.org/trials/NCT05923281"
    )


def test_empty_feed_is_still_valid(db):
    ingest_records(db, read_path(ALERTS_DATA / "raw_study.xml"))  # no alerts hook: no events
    root = validate_atom(trial_feed(db, "NCT00002475"))
    assert root.findall(f"{A}entry") == []


def test_unknown_trial(db):
    with pytest.raises(TrialNotFound):
        trial_feed(db, "NCT00000000")


def test_validator_rejects_broken_feeds():
    with pytest.raises(ET.ParseError):
        validate_atom("<feed xmlns='http://www.w3.org/2005/Atom'><id>x</feed>")
    with pytest.raises(AssertionError):
        validate_atom(
            "<feed xmlns='http://www.w3.org/2005/Atom'><id>tag:x</id><title>t</title></feed>"
        )


def test_search_feed_is_valid_atom(db):
    from trialscout.search import index

    for name in ("NCT00493428.xml", "NCT00460681.xml", "NCT00513591.xml"):
        ingest_records(db, read_path(ALERTS_DATA / name), hooks=[index.index_trial, record_changes])
    root = validate_atom(search_feed(db, "hepatocellular carcinoma"))
    titles = sorted(e.find(f"{A}title").text for e in root.findall(f"{A}entry"))
    assert [t.split(":")[0] for t in titles] == ["NCT00460681", "NCT00493428"]
    assert root.find(f"{A}id").text == "tag:trialscout,2026:feed/search/hepatocellular%20carcinoma"
