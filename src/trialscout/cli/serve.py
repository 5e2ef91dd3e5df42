"""`serve` (the web app) and `coordinator-add` (an account for the coordinators' page)."""

from __future__ import annotations

import os

import click

from trialscout.cli.common import UserError, console, db_option, esc, open_database
from trialscout.store.db import ENV_VAR


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Load the bundled demo data first when the database has no trials.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each with its own database connection).",
)
@db_option
def serve(host, port, demo, workers, db_path):
    """Run the trial finder web app and REST API (http://127.0.0.1:8000 by default)."""
    try:
        import uvicorn

        from trialscout.web import create_app
    except ImportError as exc:
        raise UserError(
            f"the web extra is not installed ({exc}); pip install 'trialscout[web]'"
        ) from None
    db = open_database(db_path)
    path = db.path
    if demo:
        from trialscout.ingest import pipeline
        from trialscout.store.trials import TrialStore

        if TrialStore(db).count() == 0:
            report = pipeline.load_demo(db)
            console.print(f"loaded the demo data: {report.new} trials")
    db.close()
    console.print(f"trialscout on [bold]http://{esc(host)}:{port}[/bold]  (database {esc(path)})")
    # access_log off: URLs can carry what a visitor typed; nothing patient-related is logged.
    quiet = {"host": host, "port": port, "access_log": False, "log_level": "warning"}
    quiet |= _proxy_options(os.environ.get("TRIALSCOUT_TRUSTED_PROXIES"))
    _default_base_url(host, port)
    if workers == 1:
        uvicorn.run(create_app(path), **quiet)
        return
    os.environ[ENV_VAR] = path
    uvicorn.run("trialscout.web.app:create_app_from_env", factory=True, workers=workers, **quiet)


def _proxy_options(trusted: str | None) -> dict:
    """X-Forwarded-For/-Proto only from configured proxies. uvicorn's default believes any
    loopback client, so a rotated header dodged every per-address limit."""
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def _default_base_url(host: str, port: int) -> None:
    """Links in e-mails come from TRIALSCOUT_BASE_URL, never a request's Host header. Serving on
    loopback, the local address is a safe default; on a public interface it must be set."""
    if os.environ.get("TRIALSCOUT_BASE_URL"):
        return
    if host in ("127.0.0.1", "localhost", "::1"):
        os.environ["TRIALSCOUT_BASE_URL"] = f"http://{host}:{port}"
    else:
        console.print(
            "[yellow]note:[/yellow] e-mail alerts are off until TRIALSCOUT_BASE_URL is set"
        )


@click.command("coordinator-add")
@click.argument("username")
@click.password_option(help="The password (asked twice when not given).")
@db_option
def coordinator_add(username, password, db_path):
    """Create or reset a coordinator account for the web app's /coordinator page."""
    from trialscout.web import records

    try:
        records.set_coordinator(open_database(db_path), username, password)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    console.print(f"coordinator {esc(repr(username))} saved (password stored hashed)")


commands = [serve, coordinator_add]
