"""Saved-search alerts through the real search stage: new and changed trials, place and radius,
and a stored search that no longer runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alerts_helpers import ALERTS_DATA, v2_earlier_version

from trialscout.alerts.changes import record_changes
from trialscout.alerts.errors import SubscriptionError
from trialscout.alerts.runner import run_alerts
from trialscout.alerts.subscriptions import list_subscriptions, subscribe
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_path
from trialscout.search import index

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _ingest(db, path):
    report = ingest_records(db, read_path(path), hooks=[index.index_trial, record_changes])
    assert report.rejected == 0, report.rejections


def test_new_trials_for_a_saved_search_reach_only_matching_subscribers(db, smtp):
    recorder, config = smtp
    _ingest(db, ALERTS_DATA / "NCT00493428.xml")  # an HCC trial already known
    _ingest(db, ALERTS_DATA / "NCT00513591_mod.xml")  # not HCC
    subscribe(db, "ana@example.org", search="hepatocellular carcinoma", confirmed=True, now=T0)
    subscribe(db, "ben@example.org", search="lupus pregnancy", confirmed=True, now=T0)
    _ingest(db, ALERTS_DATA / "NCT00460681.xml")  # a new HCC trial
    _ingest(db, ALERTS_DATA / "NCT00513591.xml")  # a change to the lupus registry
    run_alerts(db, config, now=T0)
    (ana,) = recorder.to("ana@example.org")
    body = ana.get_content()
    assert "New trial: Study of Thymopentin in Patients After Curative Resection" in body
    assert "NCT00513591" not in body and "NCT00493428" not in body
    (ben,) = recorder.to("ben@example.org")
    assert "Enrollment: 500 -> 1,000" in ben.get_content()
    assert "NCT00460681" not in ben.get_content()


def test_place_and_radius(db, smtp, tmp_path):
    recorder, config = smtp
    _ingest(db, v2_earlier_version(tmp_path))
    near = "32.80,130.71"  # Kumamoto; the trial has a site 32 km away
    subscribe(db, "near@example.org", search="hypercholesterolemia", place=near, radius_km=50,
              confirmed=True, now=T0)  # fmt: skip
    subscribe(db, "far@example.org", search="hypercholesterolemia", place="51.51,-0.13",
              radius_km=50, confirmed=True, now=T0)  # fmt: skip
    _ingest(db, ALERTS_DATA / "NCT05923281.json")
    run_alerts(db, config, now=T0)
    assert [m["To"] for m in recorder.messages] == ["near@example.org"]
    body = recorder.messages[0].get_content()
    assert "New site: Nakayama Clinic, Aichi, Japan, 32 km from you (Recruiting)" in body


def test_saved_search_that_no_longer_runs_loses_nothing(db, smtp, tmp_path):
    recorder, config = smtp
    _ingest(db, v2_earlier_version(tmp_path))
    sub = subscribe(db, "ana@example.org", search="hypercholesterolemia", confirmed=True, now=T0)
    subscribe(db, "ben@example.org", trial_id="NCT05923281", confirmed=True, now=T0)
    # as if saved by an older version whose status names were different
    db.conn.execute(
        "UPDATE alert_subscriptions SET filters = ? WHERE sub_id = ?",
        ('{"status": ["OPEN_FOR_ALL"]}', sub.sub_id),
    )
    _ingest(db, ALERTS_DATA / "NCT05923281.json")
    report = run_alerts(db, config, now=T0)
    assert [m["To"] for m in recorder.messages] == ["ben@example.org"]  # others unaffected
    assert len(report.plan.errors) == 1 and "no longer runs" in report.plan.errors[0]
    stored = list_subscriptions(db, "ana@example.org")[0]
    assert "OPEN_FOR_ALL" in stored.last_error and stored.last_event_id == sub.last_event_id
    db.conn.execute(
        "UPDATE alert_subscriptions SET filters = ? WHERE sub_id = ?",
        ('{"status": ["RECRUITING"]}', sub.sub_id),
    )
    run_alerts(db, config, now=T0 + timedelta(minutes=1))
    (ana,) = recorder.to("ana@example.org")  # the held-back changes arrive once fixed
    assert "Status: Not yet recruiting -> Recruiting" in ana.get_content()
    assert list_subscriptions(db, "ana@example.org")[0].last_error is None


def test_bad_saved_search_is_refused_at_subscribe(db):
    _ingest(db, ALERTS_DATA / "NCT00493428.xml")
    with pytest.raises(SubscriptionError, match="cannot save this search.*BOGUS"):
        subscribe(db, "a@example.org", search="hcc", filters={"status": "BOGUS"})
    with pytest.raises(SubscriptionError, match="cannot save this search"):
        subscribe(db, "a@example.org", search="hcc", filters={"colour": "blue"})
    assert list_subscriptions(db) == []
