"""`embed`: compute sentence embeddings for semantic / hybrid search (the optional `embed`
extra). A separate step because it is slow (~20 trials/s on two cores), unlike ingest."""

from __future__ import annotations

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from trialscout.cli.common import (
    console,
    db_option,
    fail_on,
    json_option,
    open_database,
    print_json,
)
from trialscout.search import SearchError


@click.command("embed")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1024),
    default=64,
    show_default=True,
    help="Trials embedded (and committed) per batch.",
)
@db_option
@json_option
@fail_on(SearchError)
def embed(batch_size, db_path, as_json):
    """Embed stored trials whose text changed, for `trialscout search --mode hybrid`."""
    from trialscout.search import semantic

    semantic.require_embed_extra()
    db = open_database(db_path)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=as_json, transient=True) as bar:
        task = bar.add_task("embedding trials", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        count = semantic.embed_trials(db, batch_size=batch_size, progress=progress)
    if as_json:
        print_json({"embedded": count, "model": semantic.MODEL_NAME})
    else:
        console.print(f"embedded {count} trials ({semantic.MODEL_NAME}); others were up to date")


commands = [embed]
