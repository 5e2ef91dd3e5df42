"""Patient-profile alerts: new open trials the saved profile may be eligible for."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts_helpers import ALERTS_DATA

from trialscout.alerts.changes import record_changes
from trialscout.alerts.runner import run_alerts
from trialscout.alerts.subscriptions import list_subscriptions, subscribe
from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_path
from trialscout.search import index

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _ingest(db, name):
    report = ingest_records(
        db, read_path(ALERTS_DATA / name), hooks=[index.index_trial, record_changes]
    )
    assert report.rejected == 0, report.rejections


def test_new_trial_reaches_only_profiles_that_may_be_eligible(db, smtp):
    recorder, config = smtp
    _ingest(db, "NCT00493428.xml")  # an HCC trial (withdrawn) already known
    hbv = {"age": 45, "sex": "male", "conditions": ["chronic hepatitis B"]}
    subscribe(db, "adult@example.org", profile=hbv, confirmed=True, now=T0)
    subscribe(db, "child@example.org", profile={**hbv, "age": 12}, confirmed=True, now=T0)
    subscribe(db, "hcc@example.org", profile={"age": 52, "conditions": ["hepatocellular carcinoma"]},
              confirmed=True, now=T0)  # fmt: skip
    _ingest(db, "NCT07328711.json")  # a recruiting chronic hepatitis B trial, new
    _ingest(db, "NCT00460681.xml")  # a new HCC trial, but not open (status unknown)
    run_alerts(db, config, now=T0)
    assert [m["To"] for m in recorder.messages] == ["adult@example.org"]
    body = recorder.messages[0].get_content()
    assert "NCT07328711" in body and "  - Match: possibly eligible (" in body
    assert "New trial:" in body and "NCT00460681" not in body
    assert "chronic hepatitis B" not in body  # the profile itself is never echoed


def test_profile_is_kept_out_of_listings(db):
    _ingest(db, "NCT00493428.xml")
    subscribe(db, "a@example.org", profile={"age": 45, "conditions": ["hepatitis B"]})
    (sub,) = list_subscriptions(db)
    assert sub.kind == "profile" and "hepatitis" not in repr(sub.as_dict())
    assert sub.target == "trials you may be eligible for (saved profile)"
