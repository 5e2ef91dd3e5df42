"""`search` and `similar`: thin adapters over `trialscout.search`."""

from __future__ import annotations

import click
from rich.table import Table

from trialscout.cli.common import (
    console,
    db_option,
    esc,
    fail_on,
    json_option,
    open_database,
    print_json,
)
from trialscout.search import SearchError, SearchFilters, search, similar_trials
from trialscout.store.trials import TrialNotFound


@click.command("search")
@click.argument("query", nargs=-1)
@click.option(
    "--status", multiple=True, help="Overall status, e.g. recruiting, completed, open (repeatable)."
)
@click.option("--phase", multiple=True, help="Phase: early1, 1, 2, 3, 4, na (repeatable).")
@click.option(
    "--type",
    "study_type",
    multiple=True,
    help="Study type: interventional, observational, expanded_access.",
)
@click.option("--sex", help="The patient's sex (male/female): trials that accept it.")
@click.option(
    "--age", type=float, help="The patient's age in years: trials whose age range admits it."
)
@click.option(
    "--healthy-volunteers/--no-healthy-volunteers",
    default=None,
    help="Trials that accept (or not) healthy volunteers.",
)
@click.option(
    "--has-results/--no-results", default=None, help="Trials with (or without) posted results."
)
@click.option("--country", help="A site country, e.g. China, 'United States'.")
@click.option("--city", help="A site city, e.g. Ningbo.")
@click.option(
    "--near",
    help="A place name (city, 'city, country', state or country) to measure distance from.",
)
@click.option("--lat", type=float, help="Latitude to measure distance from (with --lon).")
@click.option("--lon", type=float, help="Longitude to measure distance from (with --lat).")
@click.option(
    "--radius", "radius_km", type=float, help="Only trials with a site within this many km."
)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "last_update", "distance"]),
    default="relevance",
    show_default=True,
    help="Order of results (distance needs --near or --lat/--lon).",
)
@click.option(
    "--mode",
    type=click.Choice(["lexical", "semantic", "hybrid"]),
    default="lexical",
    show_default=True,
    help="semantic/hybrid need the embed extra and `trialscout embed`.",
)
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Results per page."
)
@click.option(
    "--offset",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Skip this many hits (paging).",
)
@db_option
@json_option
@fail_on(SearchError)
def search_command(query, sort, mode, limit, offset, db_path, as_json, **filters):  # fmt: skip
    """Search stored trials by words, with filters, distance and facets."""
    db = open_database(db_path)
    page = search(
        db, " ".join(query), SearchFilters(**filters), limit=limit, offset=offset, sort=sort,
        mode=mode,
    )  # fmt: skip
    if as_json:
        print_json(page.to_dict())
        return
    for note in page.expanded_query:
        console.print(f"[dim]{esc(note)}[/dim]")
    near = f" near {esc(page.place)}" if page.place else ""
    table = Table(title=f"{page.total} trials{near}")
    for col in ("#", "trial", "status", "phase", "title"):
        table.add_column(col)
    if page.place:
        table.add_column("km", justify="right")
    for i, hit in enumerate(page.hits, start=offset + 1):
        row = [str(i), esc(hit.trial_id), esc(hit.overall_status), esc(",".join(hit.phases))]
        row.append(esc(hit.title))
        if page.place:
            row.append("" if hit.distance_km is None else f"{hit.distance_km:.0f}")
        table.add_row(*row)
    console.print(table)
    for name, counts in page.facets.items():
        shown = ", ".join(f"{esc(k)} {v}" for k, v in list(counts.items())[:8])
        console.print(f"[bold]{name}[/bold]: {shown}")


@click.command("similar")
@click.argument("trial_id")
@click.option(
    "--limit", type=click.IntRange(1, 100), default=5, show_default=True, help="How many trials."
)
@db_option
@json_option
@fail_on(SearchError, TrialNotFound)
def similar_command(trial_id, limit, db_path, as_json):
    """Trials related to TRIAL_ID (shared conditions, drugs and text), with the reason."""
    db = open_database(db_path)
    found = similar_trials(db, trial_id, limit=limit)
    if as_json:
        print_json({"trial_id": trial_id, "similar": [s.to_dict() for s in found]})
        return
    table = Table(title=f"trials similar to {esc(trial_id)}")
    for col in ("trial", "score", "title", "why"):
        table.add_column(col)
    for s in found:
        table.add_row(esc(s.trial_id), f"{s.score:.2f}", esc(s.title), esc(s.reason))
    console.print(table)


commands = [search_command, similar_command]
