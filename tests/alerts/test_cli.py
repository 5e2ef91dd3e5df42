"""`trialscout alerts ...` through click's runner; state checked through the library."""

from __future__ import annotations

import json

import pytest
from alerts_helpers import ALERTS_DATA, ingest, v2_earlier_version
from click.testing import CliRunner

from trialscout.alerts.subscriptions import list_subscriptions, unsubscribe_token
from trialscout.cli import alerts as alerts_cli
from trialscout.store.db import Database


@pytest.fixture
def cli_db(tmp_path):
    path = tmp_path / "cli.db"
    with Database(path) as db:
        ingest(db, v2_earlier_version(tmp_path))
    return path


def invoke(*args, env=None):
    result = CliRunner().invoke(alerts_cli.alerts, [str(a) for a in args], env=env)
    return result


def test_subscribe_run_list_changes_feed(cli_db, smtp):
    recorder, config = smtp
    out = invoke("subscribe", "--email", "ana@example.org", "--trial", "NCT05923281",
                 "--confirmed", "--db", cli_db)  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "subscription 1: trial NCT05923281, immediately - active" in out.output
    with Database(cli_db) as db:
        ingest(db, ALERTS_DATA / "NCT05923281.json")
    env = {"TRIALSCOUT_SMTP_HOST": config.host, "TRIALSCOUT_SMTP_PORT": str(config.port)}
    out = invoke("run", "--db", cli_db, "--json", env=env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["delivery"]["sent"] == 1
    assert [m["To"] for m in recorder.messages] == ["ana@example.org"]
    out = invoke("list", "--db", cli_db, "--json")
    (row,) = json.loads(out.output)
    assert row["email"] == "a***@example.org" and row["last_sent_at"]
    out = invoke("changes", "nct05923281", "--db", cli_db)
    assert "Status: Not yet recruiting -> Recruiting" in out.output
    out = invoke("feed", "--trial", "NCT05923281", "--db", cli_db)
    assert out.output.startswith("<?xml") and "<entry>" in out.output
    out = invoke("list", "--messages", "--db", cli_db, "--json")
    assert [m["status"] for m in json.loads(out.output)] == ["sent"]


def test_run_with_flags_and_unreachable_server_exits_2_and_keeps_messages(cli_db):
    invoke("subscribe", "--email", "a@example.org", "--trial", "NCT05923281", "--db", cli_db)
    out = invoke("run", "--smtp-host", "127.0.0.1", "--smtp-port", 1, "--db", cli_db)
    assert out.exit_code == 2 and "retry later 1" in out.output
    with Database(cli_db) as db:
        assert db.conn.execute("SELECT status FROM alert_messages").fetchone()[0] == "pending"


def test_confirm_and_unsubscribe_commands(cli_db):
    invoke("subscribe", "--email", "a@example.org", "--trial", "NCT05923281", "--db", cli_db)
    with Database(cli_db) as db:
        body = db.conn.execute("SELECT body FROM alert_messages").fetchone()[0]
        token = body.split("confirm?token=")[1].split()[0]
        unsub = unsubscribe_token(db, 1)
    assert "Subscription confirmed" in invoke("confirm", token, "--db", cli_db).output
    assert "unsubscribed" in invoke("unsubscribe", unsub, "--db", cli_db).output
    out = invoke("unsubscribe", unsub, "--db", cli_db)
    assert out.exit_code == 0 and "already unsubscribed" in out.output
    with Database(cli_db) as db:
        assert list_subscriptions(db)[0].status == "unsubscribed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["subscribe", "--email", "nope", "--trial", "NCT05923281"], "not a valid email address"),
        (["subscribe", "--email", "a@example.org", "--trial", "NCT1"], "no trial 'NCT1'"),
        (["subscribe", "--email", "a@example.org", "--search", "x", "--filter", "oops"],
         "--filter expects NAME=VALUE"),
        (["confirm", "confirm.1.2.forgedforgedforgedforged"], "does not exist"),
        (["feed"], "exactly one of --trial ID or --search QUERY"),
        (["changes", "NCT00000000"], "no trial 'NCT00000000'"),
    ],
)  # fmt: skip
def test_clear_errors(cli_db, args, message):
    out = invoke(*args, "--db", cli_db)
    assert out.exit_code == 1 and message in out.output
    assert "Traceback" not in out.output


def test_every_command_has_help():
    assert alerts_cli.alerts in alerts_cli.commands
    for name, command in alerts_cli.alerts.commands.items():
        assert command.help, name
        assert invoke(name, "--help").exit_code == 0


def test_subscribe_with_a_profile_file(cli_db, tmp_path):
    profile = tmp_path / "me.yaml"
    profile.write_text("age: 52\nsex: male\nconditions: [hepatocellular carcinoma]\n")
    out = invoke("subscribe", "--email", "a@example.org", "--profile", profile, "--db", cli_db)
    assert out.exit_code == 0, out.output
    assert "trials you may be eligible for (saved profile)" in out.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    out = invoke("subscribe", "--email", "a@example.org", "--profile", bad, "--db", cli_db)
    assert out.exit_code == 1 and "a profile must be a mapping" in out.output
