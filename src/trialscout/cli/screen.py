"""`screen`: every patient of a FHIR Bulk Data export against the open trials (thin adapter).

Needs the `screen` extra (dask[distributed], pyarrow); imported only when the command runs.
"""

from __future__ import annotations

from datetime import date

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from trialscout.cli.common import UserError, console, db_option, err_console, esc, open_database

MAX_ISSUES_SHOWN = 20


@click.command()
@click.argument("export_dir", type=click.Path(file_okay=False))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder."
)
@click.option("--trials", "query", help="Only open trials this search finds.")
@click.option("--condition", help="Only open trials for this condition.")
@click.option("--country", help="Only open trials with a site in this country.")
@click.option("--city", help="Only open trials with a site in this city.")
@click.option("--sponsor", help="Only open trials whose lead sponsor's name contains this.")
@click.option("--scheduler", help="An existing Dask scheduler, e.g. tcp://10.0.0.5:8786.")
@click.option(
    "--workers", type=click.IntRange(1, 512), help="Local worker processes (default: cores)."
)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge as of this date.")
@db_option
def screen(
    export_dir,
    out_dir,
    query,
    condition,
    country,
    city,
    sponsor,
    scheduler,
    workers,
    today,
    db_path,
):
    """Screen a FHIR Bulk Data export (or a folder of bundles) against open trials.

    Writes per-trial candidate lists (Parquet and CSV), a summary and what is new since the
    last run into --out (owner-only files). Patient data stays on this machine and its workers.
    """
    try:
        from trialscout.screen import (
            EngineError,
            ExportError,
            TrialFilter,
            connect,
            select_trials,
        )
        from trialscout.screen import screen as run_screen
        from trialscout.screen.export import input_files
    except ImportError:
        raise UserError(
            "screening needs the 'screen' extra: pip install 'trialscout[screen]'"
        ) from None
    try:
        input_files(export_dir)  # fail fast, before a cluster starts
    except ExportError as exc:
        raise UserError(str(exc)) from None
    filters = TrialFilter(query, country, city, condition, sponsor)
    db = open_database(db_path)
    try:
        trials = select_trials(db, filters)
    finally:
        db.close()
    if not len(trials):
        raise UserError("no open trials match the filters")
    console.print(f"screening against {len(trials)} open trial(s)")
    when = today.date() if today else date.today()
    try:
        with connect(scheduler, workers) as client, _bar() as bar:
            task = bar.add_task("screening", total=None)
            report = run_screen(
                client,
                export_dir,
                out_dir,
                trials,
                today=when,
                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except (ExportError, EngineError) as exc:
        raise UserError(str(exc)) from None
    _print(report, out_dir)


def _bar() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    )


def _print(report, out_dir: str) -> None:
    for issue in report.issues[:MAX_ISSUES_SHOWN]:
        err_console.print(f"[yellow]skipped:[/yellow] {esc(issue)}")
    if len(report.issues) > MAX_ISSUES_SHOWN:
        err_console.print(f"... and {len(report.issues) - MAX_ISSUES_SHOWN} more skipped lines")
    table = Table(title="Screening summary", title_justify="left")
    for col in ("trial", "eligible", "possibly", "not eligible", "title"):
        table.add_column(col, overflow="fold")
    rows = sorted(report.summary, key=lambda r: (-r["eligible"], -r["possibly_eligible"]))
    for r in rows[:30]:
        table.add_row(
            esc(r["nct_id"]),
            str(r["eligible"]),
            str(r["possibly_eligible"]),
            str(r["not_eligible"]),
            esc(r["title"][:70]),
        )
    console.print(table)
    console.print(
        f"{report.patients} patients x {report.trials} trials in {report.seconds:.1f} s: "
        f"{report.judged} verdicts computed, {report.reused} carried over, "
        f"{report.new_count} new candidate(s), {len(report.issues)} skipped line(s); "
        f"written to {esc(out_dir)}"
    )


commands = [screen]
