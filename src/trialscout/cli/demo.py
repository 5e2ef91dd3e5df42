"""`demo`: the README's main job: load the bundled demo data, show a search, start the web app."""

from __future__ import annotations

import click
from rich.table import Table

from trialscout.cli.common import console, db_option, esc, open_database
from trialscout.ingest import pipeline

DEMO_QUERY = "hepatocellular carcinoma"


@click.command()
@click.option(
    "--serve/--no-serve", default=True, show_default=True, help="Start the web app after."
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address the web app listens on."
)
@click.option("--port", default=8000, show_default=True, type=int, help="Port of the web app.")
@db_option
@click.pass_context
def demo(ctx, serve, host, port, db_path):
    """Load the bundled demo data (idempotent), print a search for "hepatocellular carcinoma",
    then serve the web app on http://127.0.0.1:8000."""
    from trialscout.search import search

    db = open_database(db_path)
    report = pipeline.load_demo(db)
    console.print(
        f"demo data in {esc(db.path)}: {report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.rejected} rejected"
    )
    page = search(db, DEMO_QUERY, limit=10)
    table = Table(title=f'Search: "{DEMO_QUERY}" ({page.total} trials)', title_justify="left")
    for column in ("Trial", "Status", "Phase", "Title"):
        table.add_column(column)
    for hit in page.hits:
        table.add_row(
            esc(hit.trial_id), esc(hit.overall_status), esc(", ".join(hit.phases)), esc(hit.title)
        )
    console.print(table)
    path = db.path
    db.close()
    if serve:
        from trialscout.cli.serve import serve as serve_command

        console.print(f"web app: http://{host}:{port}  (Ctrl+C to stop)")
        ctx.invoke(serve_command, host=host, port=port, demo=False, db_path=path)


commands = [demo]
