"""Issue 12, alerts: one poisoned message never blocks the queue, headers cannot be injected,
and `alerts run` exits the same way with and without --json."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner

from trialscout.alerts.delivery import deliver_pending
from trialscout.alerts.outbox import enqueue, list_messages
from trialscout.cli import alerts as alerts_cli

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _queue(db, recipient: str, subject: str, headers: dict | None = None) -> int:
    with db.transaction() as conn:
        return enqueue(
            conn,
            kind="digest",
            recipient=recipient,
            subject=subject,
            body="news",
            headers=headers,
            now=T0,
        )


def test_crlf_in_stored_text_neither_injects_nor_blocks_the_queue(db, smtp):
    recorder, config = smtp
    _queue(db, "ana@example.org", "first")
    _queue(db, "ben@example.org", "Trial\r\nBcc: victim@evil.example", {"X-Trial": "a\r\nb: c"})
    bad = _queue(db, "chen@example.org\r\nBcc: victim@evil.example", "poisoned recipient")
    _queue(db, "dee@example.org", "last")
    report = deliver_pending(db, config, now=T0)
    assert (report.sent, report.failed, report.deferred) == (3, 1, 0)
    assert sorted(m["To"] for m in recorder.messages) == [
        "ana@example.org",
        "ben@example.org",
        "dee@example.org",
    ]
    (ben,) = recorder.to("ben@example.org")
    assert ben["Subject"] == "Trial Bcc: victim@evil.example" and ben["Bcc"] is None
    assert ben["X-Trial"] == "a b: c"
    parked = {m.msg_id: m for m in list_messages(db.conn)}[bad]
    assert parked.status == "failed" and "cannot build" in parked.last_error
    assert "recipient" in parked.last_error


def _run_unreachable(path, *extra):
    runner = CliRunner()
    runner.invoke(alerts_cli.alerts, ["subscribe", "--email", "a@example.org", "--db", str(path),
                                      "--search", "hepatitis"])  # fmt: skip
    args = ["run", "--smtp-host", "127.0.0.1", "--smtp-port", "1", "--db", str(path), *extra]
    return runner.invoke(alerts_cli.alerts, args)


def test_run_exit_code_is_the_same_with_json(tmp_path):
    table = _run_unreachable(tmp_path / "a.db")
    as_json = _run_unreachable(tmp_path / "b.db", "--json")
    assert table.exit_code == 2, table.output
    assert as_json.exit_code == 2 and json.loads(as_json.output)["delivery"]["retry_later"] == 1
