"""Subscriptions: double opt-in, signed links, and clear errors on bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alerts_helpers import ALERTS_DATA, ingest

from trialscout.alerts.errors import (
    AlertsError,
    ExpiredToken,
    InvalidEmail,
    InvalidToken,
    SubscriptionError,
)
from trialscout.alerts.outbox import list_messages
from trialscout.alerts.subscriptions import (
    confirm,
    list_subscriptions,
    subscribe,
    unsubscribe,
    unsubscribe_token,
)


@pytest.fixture
def sdb(db):
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    return db


def test_subscribe_is_pending_and_queues_a_confirmation(sdb):
    sub = subscribe(sdb, "Ana.Lima@Example.ORG", trial_id="nct05923281")
    assert sub.status == "pending" and sub.trial_id == "NCT05923281"
    assert sub.email == "Ana.Lima@example.org"
    (msg,) = list_messages(sdb.conn)
    assert msg.kind == "confirm" and msg.recipient == "Ana.Lima@example.org"
    assert sub.confirm_token in msg.body and "/alerts/unsubscribe?token=" in msg.body
    assert "Ana.Lima" not in repr(sub)  # emails never end up in logs via reprs
    confirmed = confirm(sdb, sub.confirm_token)
    assert confirmed.status == "active" and confirmed.confirmed_at
    assert confirm(sdb, sub.confirm_token).notice == "This subscription was already confirmed."


def test_confirmed_flag_skips_opt_in(sdb):
    sub = subscribe(sdb, "admin@example.org", trial_id="NCT05923281", confirmed=True)
    assert sub.status == "active" and sub.confirm_token is None
    assert list_messages(sdb.conn) == []


@pytest.mark.parametrize(
    "email",
    [
        "",
        "plainaddress",
        "a@b",
        "two@@example.org",
        "a b@example.org",
        "x@example..org",
        "evil@example.org\r\nBcc: victim@example.org",
        "a" * 65 + "@example.org",
    ],
)
def test_invalid_emails_are_refused(sdb, email):
    with pytest.raises(InvalidEmail, match="not a valid email address"):
        subscribe(sdb, email, trial_id="NCT05923281")
    assert list_subscriptions(sdb) == []


def test_forged_and_altered_tokens(sdb):
    sub = subscribe(sdb, "a@example.org", trial_id="NCT05923281")
    purpose, sub_id, expires, sig = sub.confirm_token.split(".")
    with pytest.raises(InvalidToken, match="not issued here, or was altered"):
        confirm(sdb, f"{purpose}.{sub_id}.{int(expires) + 86400}.{sig}")  # extended expiry
    with pytest.raises(InvalidToken, match="not issued here"):
        confirm(sdb, f"{purpose}.{sub_id}.{expires}.{'A' * len(sig)}")
    with pytest.raises(InvalidToken, match="not valid"):
        confirm(sdb, "garbage")
    with pytest.raises(InvalidToken, match="does not exist"):
        confirm(sdb, f"{purpose}.999.{expires}.{sig}")
    with pytest.raises(InvalidToken, match="confirmation link is not valid"):
        confirm(sdb, unsubscribe_token(sdb, sub.sub_id))  # right signature, wrong purpose
    assert list_subscriptions(sdb)[0].status == "pending"


def test_expired_confirmation(sdb):
    then = datetime(2026, 1, 1, tzinfo=UTC)
    sub = subscribe(sdb, "a@example.org", trial_id="NCT05923281", now=then)
    with pytest.raises(ExpiredToken, match="expired on 2026-01-08.*subscribe again"):
        confirm(sdb, sub.confirm_token, now=then + timedelta(days=8))
    assert confirm(sdb, sub.confirm_token, now=then + timedelta(days=6)).status == "active"


def test_unsubscribe_twice_is_idempotent(sdb):
    sub = subscribe(sdb, "a@example.org", trial_id="NCT05923281", confirmed=True)
    token = unsubscribe_token(sdb, sub.sub_id)
    first = unsubscribe(sdb, token)
    assert first.status == "unsubscribed" and "no more messages" in first.notice
    second = unsubscribe(sdb, token)
    assert second.status == "unsubscribed" and "already unsubscribed" in second.notice


def test_confirm_after_unsubscribe_is_refused(sdb):
    sub = subscribe(sdb, "b@example.org", trial_id="NCT05923281")
    unsubscribe(sdb, unsubscribe_token(sdb, sub.sub_id))
    with pytest.raises(AlertsError, match="cancelled; please subscribe again"):
        confirm(sdb, sub.confirm_token)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trial_id": "NCT99999999"}, "no trial 'NCT99999999'"),
        ({}, "exactly one of"),
        ({"trial_id": "NCT05923281", "search": "hcc"}, "exactly one of"),
        ({"trial_id": "NCT05923281", "frequency": "hourly"}, "unknown frequency 'hourly'"),
        ({"search": "hcc", "radius_km": 20}, "a radius needs a place"),
        ({"search": "hcc", "place": "95,10", "radius_km": 5}, "out of range"),
        ({"profile": {"age": 52, "blood_type": "O"}}, "cannot save this profile"),
        ({"profile": ["age", 52]}, "exactly one of|must be a mapping"),
        ({"search": "hcc", "filters": ["x"]}, "filters must be a mapping"),
    ],
)
def test_bad_subscription_requests(sdb, kwargs, message):
    with pytest.raises(SubscriptionError, match=message):
        subscribe(sdb, "a@example.org", **kwargs)
    assert list_subscriptions(sdb) == []


def test_list_by_email_masks_by_default(sdb):
    subscribe(sdb, "a@example.org", trial_id="NCT05923281")
    subscribe(sdb, "b@example.org", trial_id="NCT05923281", confirmed=True)
    (sub,) = list_subscriptions(sdb, "b@EXAMPLE.org")
    assert sub.as_dict()["email"] == "b***@example.org"
    assert sub.as_dict(with_email=True)["email"] == "b@example.org"
    assert [s.status for s in list_subscriptions(sdb)] == ["pending", "active"]


def test_subscribing_twice_does_not_duplicate(sdb):
    first = subscribe(sdb, "a@example.org", trial_id="NCT05923281")
    again = subscribe(sdb, "a@example.org", trial_id="NCT05923281")  # e.g. a double click
    assert again.sub_id == first.sub_id and again.confirm_token
    assert len(list_messages(sdb.conn)) == 2  # a fresh confirmation link, same subscription
    confirm(sdb, again.confirm_token)
    third = subscribe(sdb, "a@example.org", trial_id="NCT05923281")
    assert (
        third.sub_id == first.sub_id and third.notice == "You are already subscribed to this alert."
    )
    assert len(list_subscriptions(sdb)) == 1


def test_concurrent_runs_are_refused(sdb):
    from trialscout.alerts.errors import RunInProgress
    from trialscout.alerts.lock import run_lock

    now = datetime.now(UTC)
    with run_lock(sdb, now), pytest.raises(RunInProgress, match="in progress"):  # noqa: SIM117
        with run_lock(sdb, now):
            pass
    with run_lock(sdb, now):  # released after use
        pass
