"""End to end: a newer record version -> change events -> one digest per subscriber on a real
SMTP server; failures mid-run and crashes send nothing twice and lose nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from alerts_helpers import ALERTS_DATA, ingest, v2_earlier_version

from trialscout.alerts.delivery import SmtpConfig, deliver_pending
from trialscout.alerts.outbox import backoff, list_messages
from trialscout.alerts.runner import run_alerts
from trialscout.alerts.subscriptions import (
    confirm,
    list_subscriptions,
    subscribe,
    unsubscribe,
)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
READERS = ["ana@example.org", "ben@example.org", "chen@example.org"]


def _link(body: str, kind: str) -> str:
    return re.search(rf"/alerts/{kind}\?token=(\S+)", body).group(1)


def _watchers(db, emails=READERS, **kw):
    return [subscribe(db, e, trial_id="NCT05923281", confirmed=True, now=T0, **kw) for e in emails]


def test_double_opt_in_then_exactly_one_digest_per_subscriber(db, smtp, tmp_path):
    recorder, config = smtp
    ingest(db, v2_earlier_version(tmp_path))
    for address in READERS[:2]:
        subscribe(db, address, trial_id="NCT05923281", now=T0)
    assert run_alerts(db, config, now=T0).delivery.sent == 2  # the two confirmation mails
    for address in READERS[:2]:
        (mail,) = recorder.to(address)
        assert mail["Subject"] == "Confirm your trialscout alert"
        confirm(db, _link(mail.get_content(), "confirm"), now=T0)
    recorder.messages.clear()

    ingest(db, ALERTS_DATA / "NCT05923281.json")  # the newer version
    report = run_alerts(db, config, now=T0 + timedelta(minutes=5))
    assert (report.plan.messages, report.delivery.sent) == (2, 2)
    for address in READERS[:2]:
        (mail,) = recorder.to(address)
        body = mail.get_content()
        assert mail["Subject"].startswith("trialscout: NCT05923281 Status: Not yet recruiting")
        assert "  - Status: Not yet recruiting -> Recruiting" in body
        assert "  - New site: Nakayama Clinic, Aichi, Japan (Recruiting)" in body
        assert "/alerts/unsubscribe?token=" in body
        assert mail["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/alerts/unsubscribe?")
    assert run_alerts(db, config, now=T0 + timedelta(minutes=10)).delivery.sent == 0
    assert len(recorder.messages) == 2


def test_one_message_per_address_even_with_several_subscriptions(db, smtp, tmp_path):
    recorder, config = smtp
    ingest(db, v2_earlier_version(tmp_path))
    ingest(db, ALERTS_DATA / "NCT00513591_mod.xml")
    subscribe(db, "ana@example.org", trial_id="NCT05923281", confirmed=True, now=T0)
    subscribe(db, "ana@example.org", trial_id="NCT00513591", confirmed=True, now=T0)
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    ingest(db, ALERTS_DATA / "NCT00513591.xml")
    run_alerts(db, config, now=T0)
    (mail,) = recorder.messages
    body = mail.get_content()
    assert mail["Subject"] == "trialscout: updates on 2 trials"
    assert "Enrollment: 500 -> 1,000" in body and "Status: Not yet recruiting -> Recruiting" in body
    assert body.count("Unsubscribe from this alert:") == 2


def test_smtp_failure_mid_run_retries_with_backoff_and_never_duplicates(db, smtp, tmp_path):
    recorder, config = smtp
    ingest(db, v2_earlier_version(tmp_path))
    _watchers(db)
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    recorder.fail_after = 1  # the server accepts one message, then answers 451
    first = run_alerts(db, config, now=T0)
    assert (first.plan.messages, first.delivery.sent, first.delivery.retry_later) == (3, 1, 2)
    assert len(recorder.messages) == 1
    recorder.fail_after = None
    early = run_alerts(db, config, now=T0 + backoff(1) - timedelta(seconds=1))
    assert early.delivery.sent == 0 and early.plan.messages == 0  # not due yet, nothing re-planned
    later = run_alerts(db, config, now=T0 + backoff(1))
    assert later.delivery.sent == 2
    assert sorted(m["To"] for m in recorder.messages) == READERS  # each exactly once
    assert {m.status for m in list_messages(db.conn)} == {"sent"}
    assert backoff(1) < backoff(2) < backoff(3)


def test_server_down_loses_nothing(db, smtp, tmp_path):
    recorder, config = smtp
    ingest(db, v2_earlier_version(tmp_path))
    _watchers(db)
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    down = SmtpConfig(host="127.0.0.1", port=1, timeout=2)  # nothing listens there
    report = run_alerts(db, down, now=T0)
    assert report.plan.messages == 3
    assert (report.delivery.sent, report.delivery.retry_later, report.delivery.deferred) == (
        0,
        1,
        2,
    )
    report = deliver_pending(db, config, now=T0 + timedelta(hours=1))
    assert report.sent == 3 and sorted(m["To"] for m in recorder.messages) == READERS


def test_crash_mid_run_sends_nothing_twice(db, smtp, tmp_path):
    """Kill `trialscout alerts run` while the server holds the 2nd message, then run again."""
    recorder, config = smtp
    ingest(db, v2_earlier_version(tmp_path))
    _watchers(db)
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    recorder.stall_at = 2
    env = {**os.environ, "TRIALSCOUT_DB": db.path}
    # the `alerts` command group alone, so other stages' CLI modules cannot affect this test
    cmd = [sys.executable, "-c", "from trialscout.cli.alerts import alerts; alerts()", "run",
           "--smtp-host", config.host, "--smtp-port", str(config.port)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert recorder.stalled.wait(30), proc.communicate(timeout=5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        recorder.release.set()
    assert len(recorder.messages) == 1
    time.sleep(0.2)
    recorder.stall_at = None
    report = run_alerts(db, config)  # real clock: the killed run never recorded the attempt
    assert report.plan.messages == 0 and report.delivery.sent == 2
    assert sorted(m["To"] for m in recorder.messages) == READERS
    ids = [m["Message-ID"] for m in recorder.messages]
    assert len(set(ids)) == 3


def test_daily_digest_waits_and_collects(db, smtp, tmp_path):
    recorder, config = smtp
    ingest(db, ALERTS_DATA / "NCT00513591_mod.xml")
    ingest(db, v2_earlier_version(tmp_path))
    subscribe(
        db, "ana@example.org", trial_id="NCT00513591", confirmed=True, frequency="daily", now=T0
    )
    subscribe(
        db, "ana@example.org", trial_id="NCT05923281", confirmed=True, frequency="daily", now=T0
    )
    ingest(db, ALERTS_DATA / "NCT00513591.xml")
    report = run_alerts(db, config, now=T0 + timedelta(hours=3))
    assert report.plan.not_due == 2 and report.delivery.sent == 0  # a day after the opt-in
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    report = run_alerts(db, config, now=T0 + timedelta(days=1))
    assert (report.plan.messages, report.delivery.sent) == (1, 1)
    body = recorder.messages[-1].get_content()
    assert "Status: Not yet recruiting -> Recruiting" in body and "Enrollment: 500 -> 1,000" in body
    assert run_alerts(db, config, now=T0 + timedelta(days=1, hours=2)).delivery.sent == 0
    assert len(recorder.messages) == 1


def test_unsubscribed_before_sending_is_not_sent(db, smtp, tmp_path):
    recorder, config = smtp
    ingest(db, v2_earlier_version(tmp_path))
    subs = _watchers(db, READERS[:1])
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    down = SmtpConfig(host="127.0.0.1", port=1, timeout=2)
    run_alerts(db, down, now=T0)  # planned, not delivered
    from trialscout.alerts.subscriptions import unsubscribe_token

    unsubscribe(db, unsubscribe_token(db, subs[0].sub_id))
    report = deliver_pending(db, config, now=T0 + timedelta(hours=1))
    assert report.cancelled == 1 and recorder.messages == []
    assert list_subscriptions(db)[0].status == "unsubscribed"


@pytest.mark.parametrize("tls", ["bogus"])
def test_bad_smtp_config_is_a_clear_error(tls):
    with pytest.raises(ValueError, match="unknown SMTP TLS mode 'bogus'"):
        SmtpConfig(tls=tls)
    with pytest.raises(ValueError, match="SMTP port must be a number"):
        SmtpConfig.from_env(port="smtp")


def test_refused_recipient_fails_once_without_blocking_others(db, smtp, tmp_path):
    recorder, config = smtp
    ingest(db, v2_earlier_version(tmp_path))
    _watchers(db)
    ingest(db, ALERTS_DATA / "NCT05923281.json")
    recorder.refuse = {"ben@example.org"}
    report = run_alerts(db, config, now=T0)
    assert (report.delivery.sent, report.delivery.failed) == (2, 1)
    failed = [m for m in list_messages(db.conn) if m.status == "failed"]
    assert len(failed) == 1 and "550" in failed[0].last_error
    assert "ben@" not in failed[0].last_error  # addresses stay out of error text
    assert run_alerts(db, config, now=T0 + timedelta(days=1)).delivery.sent == 0
