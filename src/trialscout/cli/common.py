"""Shared CLI plumbing: the --db option, JSON output, and mapping domain errors to messages."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from trialscout.registry.errors import FieldError
from trialscout.store.db import ENV_VAR, Database, StoreError
from trialscout.store.trials import TrialNotFound

console = Console()
err_console = Console(stderr=True)

db_option = click.option(
    "--db",
    "db_path",
    envvar=ENV_VAR,
    type=click.Path(dir_okay=False),
    default=None,
    help=f"SQLite database file (default: ${ENV_VAR}, else the user data directory).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def open_database(db_path: str | None) -> Database:
    from trialscout.ingest.pipeline import open_db

    return open_db(db_path)


def esc(value: Any) -> str:
    """Record text (titles, criteria, names, messages quoting input) for a rich string or table
    cell: its brackets print as written instead of being read as markup (`[/]` crashed)."""
    return escape("" if value is None else str(value))


def finite(data: Any) -> Any:
    """JSON has no Infinity or NaN: such a number (e.g. a 400-digit life expectancy) becomes
    null, so `--json` output always parses."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite(v) for v in data]
    return data


def print_json(data: Any) -> None:
    click.echo(json.dumps(finite(data), indent=2, ensure_ascii=False, default=str, allow_nan=False))


class UserError(click.ClickException):
    """A clear one-line message and exit code 1, never a traceback."""


def run_guarded(cli: Callable[..., Any]) -> None:
    try:
        cli(standalone_mode=True)
    except (TrialNotFound, StoreError, FieldError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {esc(exc)}")
        sys.exit(1)


def fail_on(*errors: type[BaseException]):
    """Decorator: turn these domain errors into `UserError` inside a command."""

    def wrap(func):
        import functools

        @functools.wraps(func)
        def inner(*a, **kw):
            try:
                return func(*a, **kw)
            except errors as exc:
                raise UserError(str(exc)) from None

        return inner

    return wrap
