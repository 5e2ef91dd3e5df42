"""`ingest`, `show`, `stats`: getting registry records in and looking at what is stored."""

from __future__ import annotations

import os
from dataclasses import asdict

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trialscout.cli.common import (
    UserError,
    console,
    db_option,
    err_console,
    esc,
    json_option,
    open_database,
    print_json,
)
from trialscout.ingest import pipeline
from trialscout.plain.diff import where_differ
from trialscout.registry.api_client import ApiClient, ApiError
from trialscout.store.trials import TrialNotFound, TrialStore


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--api", "api_query", help="Query the live API v2, e.g. 'query.cond=hepatocellular carcinoma'."
)
@click.option(
    "--api-url", envvar="TRIALSCOUT_API_URL", default=None, help="API v2 studies endpoint."
)
@click.option("--max-pages", type=int, default=None, help="Stop the API query after N pages.")
@click.option("--demo", is_flag=True, help="Load the bundled demo data.")
@click.option(
    "--workers", type=int, default=None, help="Processes that parse records (default: CPU count)."
)
@click.option(
    "--show-rejected", type=int, default=20, show_default=True, help="List at most N rejections."
)
@db_option
@json_option
def ingest(paths, api_query, api_url, max_pages, demo, workers, show_rejected, db_path, as_json):
    """Load registry records (API v2 JSON, JSONL, zip, legacy XML, folders) into the database."""
    if not paths and not api_query and not demo:
        raise UserError("nothing to ingest: give files or folders, --api QUERY, or --demo")
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:  # checked before anything is read or stored
        raise UserError(f"{missing[0]}: no such file or folder (nothing was ingested)")
    db = open_database(db_path)
    sources: list[str] = [str(p) for p in paths]
    if demo:
        sources += [str(p) for p in pipeline.demo_paths()]
    records = pipeline.read_for_ingest(sources, workers, db) if sources else iter(())
    if api_query:
        client = ApiClient(base_url=api_url) if api_url else ApiClient()
        records = _chain(records, client.studies(api_query, max_pages=max_pages))
        sources.append(f"api:{api_query}")
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("trials"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=as_json or not err_console.is_terminal,
    ) as progress:
        task = progress.add_task("store", total=None)
        try:
            report = pipeline.ingest(
                db,
                records,
                sources=" ".join(sources),
                on_record=lambda _r: progress.advance(task),
                workers=workers,
                progress=_step_progress(progress),
            )
        except ApiError as exc:
            raise UserError(f"{exc} (records read before the failure are kept)") from None
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"[green]{report.new} new[/green], [yellow]{report.changed} changed[/yellow], "
        f"{report.unchanged} unchanged, "
        + (f"{report.older} older versions kept in history, " if report.older else "")
        + f"[red]{report.rejected} rejected[/red]  ->  {esc(db.path)}"
    )
    if report.skipped:
        console.print(f"  {len(report.skipped)} files skipped: they hold no registry records")
        for source, why in report.skipped[:show_rejected]:
            console.print(
                f"  [dim]skipped[/dim] {esc(source)}: {esc(why)}", highlight=False, soft_wrap=True
            )
    for error in report.rejections[:show_rejected]:
        console.print(f"  [red]rejected[/red] {esc(error)}", highlight=False, soft_wrap=True)
    if report.rejected > show_rejected:
        console.print(f"  ... and {report.rejected - show_rejected} more (--show-rejected N)")


def _step_progress(progress: Progress):
    """One bar per index step (search, criteria), fed by the ingest's progress callback."""
    tasks: dict[str, object] = {}

    def update(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = progress.add_task(f"index {step}", total=total)
        progress.update(tasks[step], completed=done, total=total)

    return update


def _chain(*iterables):
    for it in iterables:
        yield from it


@click.command()
@click.argument("trial_id")
@click.option(
    "--versions", is_flag=True, help="List stored versions and what changed between them."
)
@db_option
@json_option
def show(trial_id, versions, db_path, as_json):
    """Show one stored trial (NCT number or other registry ID)."""
    store = TrialStore(open_database(db_path))
    try:
        record = store.get(trial_id)
        history = store.versions(trial_id)
        changes = store.version_changes(trial_id)
    except TrialNotFound as exc:
        raise UserError(str(exc)) from None
    if as_json:
        print_json(
            {
                "trial": record.trial.to_dict(),
                "version": record.version,
                "first_seen": record.first_seen,
                "last_changed": record.last_changed,
                "versions": [asdict(v) for v in history],
                "changes": changes,
            }
        )
        return
    _print_record(record)
    if versions:
        for ch in changes:
            console.print(f"[bold]v{ch['from']} -> v{ch['to']}[/bold] ({ch['seen_at']})")
            for c in ch["changes"]:
                old, new = (esc(x) for x in where_differ(str(c["old"]), str(c["new"])))
                console.print(f"  {esc(c['field'])}: {old} -> {new}", highlight=False)


def _print_record(record) -> None:
    t = record.trial
    console.print(f"[bold]{esc(t.trial_id)}[/bold]  {esc(t.title)}")
    enrollment = None
    if t.enrollment is not None:
        enrollment = f"{t.enrollment} ({(t.enrollment_type or '').lower()})"
    rows = [
        ("Status", t.overall_status),
        ("Phase", ", ".join(t.phases)),
        ("Study type", t.study_type),
        ("Enrollment", enrollment),
        ("Sponsor", t.sponsor.name if t.sponsor else None),
        ("Conditions", "; ".join(t.conditions)),
        ("Start", t.start_date),
        ("Completion", t.completion_date),
        ("Last update", t.last_update_posted),
        ("Ages", f"{t.eligibility.minimum_age or 'any'} to {t.eligibility.maximum_age or 'any'}"),
        ("Sex", t.eligibility.sex),
        ("Sites", str(len(t.locations))),
        (
            "Version",
            f"{record.version} (first seen {record.first_seen}, last changed {record.last_changed})",
        ),
    ]
    table = Table(show_header=False, box=None)
    for key, value in rows:
        if value:
            table.add_row(f"[dim]{key}[/dim]", esc(value))
    console.print(table)


@click.command()
@db_option
@json_option
def stats(db_path, as_json):
    """Counts of stored trials, versions, statuses and the last ingest."""
    data = TrialStore(open_database(db_path)).stats()
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]{data['trials']}[/bold] trials, {data['versions']} versions, "
        f"{data['with_results']} with results, "
        f"{data['database_bytes'] / 1e6:.1f} MB in {esc(data['database'])}"
    )
    for title, key in (("Status", "by_status"), ("Study type", "by_study_type")):
        counts = ", ".join(f"{esc(k)} {v}" for k, v in data[key].items())
        console.print(f"[dim]{title}:[/dim] {counts}")
    if data["last_ingest"]:
        li = data["last_ingest"]
        console.print(
            f"[dim]Last ingest:[/dim] {li['started_at']} {li['status']}: {li['new']} new, "
            f"{li['changed']} changed, {li['unchanged']} unchanged, {li['rejected']} rejected"
        )


commands = [ingest, show, stats]
