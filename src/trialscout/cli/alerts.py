"""`alerts`: run deliveries (cron), list, subscribe (admin), confirm/unsubscribe, changes, feeds."""

from __future__ import annotations

import json

import click
from rich.table import Table

from trialscout.alerts.changes import list_changes
from trialscout.alerts.delivery import SmtpConfig
from trialscout.alerts.errors import AlertsError
from trialscout.alerts.feeds import search_feed, trial_feed
from trialscout.alerts.outbox import list_messages
from trialscout.alerts.runner import run_alerts
from trialscout.alerts.subscriptions import (
    confirm,
    list_subscriptions,
    subscribe,
    unsubscribe,
)
from trialscout.alerts.wording import describe
from trialscout.cli.common import (
    UserError,
    console,
    db_option,
    esc,
    json_option,
    open_database,
    print_json,
)
from trialscout.store.trials import TrialNotFound, TrialStore


def _guard(func):
    import functools

    @functools.wraps(func)
    def inner(*a, **kw):
        try:
            return func(*a, **kw)
        except (AlertsError, TrialNotFound, ValueError) as exc:
            raise UserError(str(exc)) from None

    return inner


@click.group()
def alerts() -> None:
    """Alerts on watched trials and saved searches: email digests and Atom feeds."""


@alerts.command("run")
@click.option("--smtp-host", envvar="TRIALSCOUT_SMTP_HOST", help="SMTP server host.")
@click.option("--smtp-port", envvar="TRIALSCOUT_SMTP_PORT", type=int, help="SMTP server port.")
@click.option(
    "--smtp-tls",
    envvar="TRIALSCOUT_SMTP_TLS",
    type=click.Choice(["none", "starttls", "ssl"]),
    help="TLS mode (credentials: TRIALSCOUT_SMTP_USER / TRIALSCOUT_SMTP_PASSWORD).",
)
@click.option("--base-url", envvar="TRIALSCOUT_BASE_URL", help="Public URL used in links.")
@db_option
@json_option
@_guard
def run_cmd(smtp_host, smtp_port, smtp_tls, base_url, db_path, as_json):
    """Queue due digests and send everything pending (call it from cron or a systemd timer)."""
    config = SmtpConfig.from_env(host=smtp_host, port=smtp_port, tls=smtp_tls)
    report = run_alerts(open_database(db_path), config, base_url=base_url)
    if as_json:
        print_json(report.as_dict())
    else:
        _print_run(report)
    d = report.delivery
    if d.retry_later or d.deferred:  # the same exit code whether JSON or a table was printed
        raise SystemExit(2)  # cron sees a partial run; nothing is lost, the next run retries


def _print_run(report) -> None:
    p, d = report.plan, report.delivery
    console.print(
        f"planned {p.messages} message(s) for {p.with_news} subscription(s); "
        f"sent {d.sent}, retry later {d.retry_later}, deferred {d.deferred}, failed {d.failed}"
    )
    for error in [*p.errors, *d.errors]:
        console.print(f"  [red]{esc(error)}[/red]", highlight=False)


@alerts.command("list")
@click.option("--email", help="Only this address's subscriptions.")
@click.option("--messages", "show_messages", is_flag=True, help="List the outbox instead.")
@click.option("--show-emails", is_flag=True, help="Print full addresses (default: masked).")
@db_option
@json_option
@_guard
def list_cmd(email, show_messages, show_emails, db_path, as_json):
    """List subscriptions (or queued and sent messages)."""
    db = open_database(db_path)
    if show_messages:
        rows = [
            {
                "msg_id": m.msg_id,
                "kind": m.kind,
                "status": m.status,
                "attempts": m.attempts,
                "subject": m.subject,
                "next_attempt_at": m.next_attempt_at,
                "last_error": m.last_error,
            }
            for m in list_messages(db.conn)
        ]
        if as_json:
            print_json(rows)
            return
        table = Table("id", "kind", "status", "tries", "subject", "error")
        for r in rows:
            table.add_row(
                str(r["msg_id"]),
                esc(r["kind"]),
                esc(r["status"]),
                str(r["attempts"]),
                esc(r["subject"]),
                esc(r["last_error"]),
            )
        console.print(table)
        return
    subs = list_subscriptions(db, email)
    if as_json:
        print_json([s.as_dict(with_email=show_emails) for s in subs])
        return
    if not subs:
        console.print("no subscriptions")
        return
    table = Table("id", "email", "alert", "frequency", "status", "last sent", "problem")
    for s in subs:
        table.add_row(
            str(s.sub_id),
            esc(s.email if show_emails else s.masked_email),
            esc(s.target),
            esc(s.frequency),
            esc(s.status),
            esc((s.last_sent_at or "")[:16]),
            esc(s.last_error),
        )
    console.print(table)


def _filters(pairs: tuple[str, ...], as_json: str | None) -> dict:
    filters = json.loads(as_json) if as_json else {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UserError(f"--filter expects NAME=VALUE, got {pair!r}")
        filters[key.strip()] = value.strip()
    return filters


def _profile(path: str | None) -> dict | None:
    if not path:
        return None
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: cannot read the profile ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: a profile must be a mapping of fields")
    return data


@alerts.command("subscribe")
@click.option("--email", required=True, help="Subscriber's email address.")
@click.option("--trial", "trial_id", help="Watch this trial (NCT number or registry ID).")
@click.option("--search", "query", help="Saved search: query text.")
@click.option("--filter", "filter_pairs", multiple=True, help="Search filter NAME=VALUE (repeat).")
@click.option("--filters-json", help="Search filters as a JSON object.")
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Patient profile (YAML/JSON): alert on new trials it may be eligible for.",
)
@click.option("--place", help="Near this place: 'LAT,LON' or a city the registry knows.")
@click.option("--radius-km", type=float, help="Only trials with a site within this distance.")
@click.option(
    "--frequency",
    type=click.Choice(["immediately", "daily", "weekly"]),
    default="immediately",
    show_default=True,
    help="How often to send: each change as it comes, or a daily / weekly digest.",
)
@click.option("--confirmed", is_flag=True, help="Administrators: skip the opt-in message.")
@click.option("--base-url", envvar="TRIALSCOUT_BASE_URL", help="Public URL used in links.")
@db_option
@json_option
@_guard
def subscribe_cmd(
    email,
    trial_id,
    query,
    filter_pairs,
    filters_json,
    profile_path,
    place,
    radius_km,
    frequency,
    confirmed,
    base_url,
    db_path,
    as_json,
):
    """Subscribe an address to a trial, a saved search or a patient profile (a confirmation
    mail is queued unless --confirmed)."""
    sub = subscribe(
        open_database(db_path),
        email,
        trial_id=trial_id,
        search=query,
        filters=_filters(filter_pairs, filters_json) or None,
        place=place,
        radius_km=radius_km,
        profile=_profile(profile_path),
        frequency=frequency,
        confirmed=confirmed,
        base_url=base_url,
    )
    if as_json:
        print_json(sub.as_dict())
        return
    state = "active" if sub.status == "active" else "pending (confirmation mail queued)"
    console.print(f"subscription {sub.sub_id}: {esc(sub.target)}, {esc(sub.frequency)} - {state}")


@alerts.command("confirm")
@click.argument("token")
@db_option
@_guard
def confirm_cmd(token, db_path):
    """Confirm a subscription with the token from its confirmation link."""
    sub = confirm(open_database(db_path), token)
    console.print(f"{esc(sub.notice)} ({esc(sub.target)})")


@alerts.command("unsubscribe")
@click.argument("token")
@db_option
@_guard
def unsubscribe_cmd(token, db_path):
    """Cancel a subscription with the token from an unsubscribe link (safe to repeat)."""
    sub = unsubscribe(open_database(db_path), token)
    console.print(f"{esc(sub.notice)} ({esc(sub.target)})")


@alerts.command("changes")
@click.argument("trial_id", required=False)
@click.option("--limit", type=int, default=50, show_default=True, help="Show at most N changes.")
@db_option
@json_option
@_guard
def changes_cmd(trial_id, limit, db_path, as_json):
    """Show detected change events, newest first (optionally for one trial)."""
    db = open_database(db_path)
    tid = TrialStore(db).resolve_id(trial_id) if trial_id else None
    events = list_changes(db, trial_id=tid, newest_first=True, limit=limit)
    if as_json:
        print_json([e.as_dict() for e in events])
        return
    for e in events:
        console.print(
            f"{e.detected_at[:16]}  {esc(e.trial_id)} v{e.version}  {esc(describe(e))}",
            highlight=False,
        )


@alerts.command("feed")
@click.option("--trial", "trial_id", help="Feed of one trial's changes.")
@click.option("--search", "query", help="Feed of a saved search's new and changed trials.")
@click.option("--base-url", envvar="TRIALSCOUT_BASE_URL", help="Public URL used in links.")
@db_option
@_guard
def feed_cmd(trial_id, query, base_url, db_path):
    """Print an Atom feed (for a static site or a feed reader)."""
    if bool(trial_id) == bool(query):
        raise UserError("give exactly one of --trial ID or --search QUERY")
    db = open_database(db_path)
    text = (
        trial_feed(db, trial_id, base_url=base_url)
        if trial_id
        else search_feed(db, query, base_url=base_url)
    )
    click.echo(text)


commands = [alerts]
