"""Change detection on real before/after registry records."""

from __future__ import annotations

import json

import pytest
from alerts_helpers import ALERTS_DATA, ingest, v2_earlier_version

from trialscout.alerts.changes import detect_changes, list_changes, record_changes
from trialscout.alerts.criteria_items import diff_items, split_items
from trialscout.alerts.rules import category_of, load_rules
from trialscout.alerts.wording import describe
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_path


def _summary(events):
    return [(e.category, e.field, e.old, e.new) for e in events]


def test_newer_legacy_xml_version_gives_exact_events(db):
    # The AACT "_mod" file carries the earlier update date (2016-06-15) than the plain file
    # (2017-06-16), so the plain file is the newer version.
    ingest(db, ALERTS_DATA / "NCT00513591_mod.xml")
    ingest(db, ALERTS_DATA / "NCT00513591.xml")
    events = list_changes(db, trial_id="NCT00513591")
    assert events[0].category == "new" and events[0].version == 1
    assert _summary(events[1:]) == [
        ("enrollment", "enrollment", 500, 1000),
        ("dates", "primary_completion_date", "2017-12", "2018-06"),
        ("dates", "completion_date", None, "2018-06"),
    ]  # the criteria differ only in line wrapping: not reported
    assert {e.prev_version for e in events[1:]} == {1}
    assert [describe(e) for e in events[1:]] == [
        "Enrollment: 500 -> 1,000",
        "Primary completion date: 2017-12 -> 2018-06",
        "Completion date: (none) -> 2018-06",
    ]


def test_older_version_is_history_only_and_makes_no_events(db):
    ingest(db, ALERTS_DATA / "NCT00513591.xml")
    report = ingest(db, ALERTS_DATA / "NCT00513591_redownloaded.xml")
    assert report.older == 1
    assert [e.category for e in list_changes(db)] == ["new"]


def test_comparison_skips_versions_kept_as_older(db):
    ingest(db, ALERTS_DATA / "NCT00513591_mod.xml")  # v1, 2016-06-15, current
    ingest(db, ALERTS_DATA / "NCT00513591_redownloaded.xml")  # v2, 2016-06-14: older
    ingest(db, ALERTS_DATA / "NCT00513591.xml")  # v3, current
    events = list_changes(db, trial_id="NCT00513591")[1:]
    assert {(e.version, e.prev_version) for e in events} == {(3, 1)}
    assert ("enrollment", "enrollment", 500, 1000) in _summary(events)


def test_results_posted_is_detected(db):
    ingest(db, ALERTS_DATA / "NCT02028676_modified.xml.gz")
    ingest(db, ALERTS_DATA / "NCT02028676.xml.gz")
    events = list_changes(db, trial_id="NCT02028676")[1:]
    assert _summary(events) == [("results", "results_first_posted", None, "2014-06-06")]
    assert describe(events[0]) == "Results posted: 2014-06-06"


def test_same_date_edit_changes_eligibility(db):
    ingest(db, ALERTS_DATA / "raw_study.xml")
    ingest(db, ALERTS_DATA / "raw_study_changed.xml")
    events = list_changes(db, trial_id="NCT00002475")[1:]
    assert _summary(events) == [("eligibility", "eligibility.sex", "ALL", "BOTH")]


def test_status_and_sites_on_api_v2_record(db, tmp_path):
    ingest(db, v2_earlier_version(tmp_path))
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    events = list_changes(db, trial_id="NCT05923281")[1:]
    lines = [describe(e, place=(32.80, 130.71)) for e in events]  # Kumamoto
    assert lines[0] == "Status: Not yet recruiting -> Recruiting"
    assert (
        "Site Kohnodai Hospital, National Center for Global Health and Medicine, Chiba, Japan: Not yet recruiting -> Recruiting"
        in lines
    )
    # the registry puts this clinic at 32.52, 130.60 (city given as "Aichi")
    assert "New site: Nakayama Clinic, Aichi, Japan, 32 km from you (Recruiting)" in lines
    assert {e.category for e in events} == {"status", "site"}


def test_unchanged_reingest_and_date_type_only_changes_make_no_events(db, tmp_path):
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    assert ingest(db, ALERTS_DATA / "NCT05923281.json").unchanged == 1
    # the real mixed10 -> mixed50 difference for this study: posting-date types only
    study = json.loads((ALERTS_DATA / "NCT05923281.json").read_text())
    status = study["protocolSection"]["statusModule"]
    status["lastUpdatePostDateStruct"]["type"] = "ACTUAL"
    status["studyFirstPostDateStruct"]["type"] = "ACTUAL"
    (tmp_path / "later.json").write_text(json.dumps(study))
    ingest(db, tmp_path / "later.json")
    assert [e.category for e in list_changes(db)] == ["new"]


def test_hook_rolls_back_with_a_rejected_record(db):
    def broken(conn, trial):
        raise ValueError("index failed")

    report = ingest_records(
        db, read_path(ALERTS_DATA / "raw_study.xml"), hooks=[record_changes, broken]
    )
    assert report.rejected == 1
    assert list_changes(db) == []


def test_hook_installed_late_finds_previous_current_version(db):
    ingest_records(db, read_path(ALERTS_DATA / "NCT00513591_mod.xml"))  # no alerts hook
    ingest_records(db, read_path(ALERTS_DATA / "NCT00513591_redownloaded.xml"))  # older
    ingest(db, ALERTS_DATA / "NCT00513591.xml")
    events = list_changes(db)
    assert {(e.version, e.prev_version) for e in events} == {(3, 1)}


CRITERIA_OLD = """Inclusion Criteria:

  - Age 18 years or older
  - Hepatocellular carcinoma confirmed by histology

Exclusion Criteria:

  - Prior liver transplantation
  - Child-Pugh C cirrhosis
"""


def test_dropped_exclusion_criterion_is_named():
    new = CRITERIA_OLD.replace("  - Child-Pugh C cirrhosis\n", "")
    new = new.replace("18 years", "20 years")
    found = detect_changes(
        {"eligibility": {"criteria": CRITERIA_OLD}}, {"eligibility": {"criteria": new}}
    )
    words = [describe_line(c) for c in found]
    assert "Exclusion criterion dropped: Child-Pugh C cirrhosis" in words
    assert "Inclusion criterion dropped: Age 18 years or older" in words
    assert "New inclusion criterion: Age 20 years or older" in words


def describe_line(change):
    from trialscout.alerts.changes import ChangeEvent

    return describe(
        ChangeEvent(0, "T", 2, 1, change.category, change.field, change.old, change.new, "")
    )


def test_rewrapped_criteria_are_not_a_change():
    rewrapped = CRITERIA_OLD.replace("confirmed by histology", "confirmed\n    by histology")
    assert (
        detect_changes(
            {"eligibility": {"criteria": CRITERIA_OLD}}, {"eligibility": {"criteria": rewrapped}}
        )
        == []
    )
    assert diff_items(CRITERIA_OLD, CRITERIA_OLD) == []
    kinds = [i.kind for i in split_items(CRITERIA_OLD)]
    assert kinds == ["inclusion", "inclusion", "exclusion", "exclusion"]


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("overall_status", "status"),
        ("locations[Ningbo No.2 Hospital, Ningbo, China]", "site"),
        ("locations[Ningbo No.2 Hospital, Ningbo, China].status", "site"),
        ("locations[Ningbo No.2 Hospital, Ningbo, China].contacts", "contacts"),
        ("locations[Ningbo No.2 Hospital, Ningbo, China].lat", None),
        ("central_contacts", "contacts"),
        ("enrollment", "enrollment"),
        ("has_results", "results"),
        ("brief_summary", None),
        ("last_update_posted", None),
    ],
)
def test_field_categories(path, category):
    assert category_of(path) == category


def test_rules_file_is_validated():
    with pytest.raises(ValueError, match=r"rules\[0\].*unknown category 'bogus'"):
        load_rules('{"categories": ["status"], "rules": [{"path": "x", "category": "bogus"}]}')
    with pytest.raises(ValueError, match="non-empty"):
        load_rules('{"rules": []}')


def test_changed_criteria_carry_parsed_rules():
    new = CRITERIA_OLD.replace("  - Child-Pugh C cirrhosis\n", "")
    (change,) = [c for c in detect_changes(
        {"eligibility": {"criteria": CRITERIA_OLD}}, {"eligibility": {"criteria": new}}
    ) if c.category == "criteria"]  # fmt: skip
    assert change.old["text"] == "Child-Pugh C cirrhosis" and change.new is None
    assert {"type": "score", "system": "child_pugh", "allowed": ["C"]} in change.old["rules"]


def test_with_the_pipelines_other_hooks(db):
    """As the pipeline wires it: the alerts hook among the default hooks."""
    from trialscout.ingest import pipeline

    hooks = pipeline.default_hooks()
    assert record_changes in hooks
    for name in ("NCT00513591_mod.xml", "NCT00513591.xml"):
        report = ingest_records(db, read_path(ALERTS_DATA / name), hooks=hooks)
        assert report.rejected == 0, report.rejections
    events = list_changes(db, trial_id="NCT00513591")
    assert [e.category for e in events] == ["new", "enrollment", "dates", "dates"]
