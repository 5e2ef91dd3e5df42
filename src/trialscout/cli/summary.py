"""`summary`: a plain-language summary of one stored trial (thin adapter over trialscout.summary)."""

from __future__ import annotations

import os
import sqlite3

import click

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
from trialscout.store.trials import TrialNotFound, TrialStore
from trialscout.summary import summarize
from trialscout.summary.llm import KEY_ENV, LlmConfig, rephrase


def _criteria(db, trial_id: str) -> dict | None:
    """Parsed criteria when the criteria package stores them; the summary works without."""
    try:
        from trialscout.ingest.criteria_store import load_criteria
    except ImportError:
        return None
    try:
        return load_criteria(db, trial_id)
    except (sqlite3.Error, LookupError, ValueError) as exc:
        err_console.print(f"[yellow]note:[/yellow] parsed criteria unavailable ({esc(exc)})")
        return None


@click.command("summary")
@click.argument("trial_id")
@click.option("--sources", is_flag=True, help="Show where each sentence comes from.")
@click.option(
    "--llm-url",
    envvar="TRIALSCOUT_LLM_URL",
    default=None,
    help="OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1) used only to reword.",
)
@click.option(
    "--llm-model",
    envvar="TRIALSCOUT_LLM_MODEL",
    default="default",
    show_default=True,
    help="Model name sent to the --llm-url endpoint.",
)
@db_option
@json_option
def summary(trial_id, sources, llm_url, llm_model, db_path, as_json):
    """Plain-language summary of one trial: what is tested, who can join, risks and limits."""
    db = open_database(db_path)
    try:
        trial = TrialStore(db).get(trial_id).trial
    except TrialNotFound as exc:
        raise UserError(str(exc)) from None
    result = summarize(trial, _criteria(db, trial.trial_id), with_grade=False)  # bench only
    if llm_url:
        result = rephrase(result, LlmConfig(llm_url, llm_model, os.environ.get(KEY_ENV)))
    if as_json:
        out = result.to_dict()
        if not llm_url:
            out.pop("grade")  # reading grades are measured by bench/summary_bench.py
        print_json(out)
        return
    console.print(f"[bold]{esc(trial.trial_id)}[/bold]  {esc(trial.title)}", highlight=False)
    for section in result.sections:
        if not section.sentences:
            continue
        console.print(f"\n[bold underline]{esc(section.title)}[/bold underline]")
        for s in section.sentences:
            suffix = f"  [dim]({esc(s.source)})[/dim]" if sources else ""
            console.print(f"{esc(s.text)}{suffix}", highlight=False, soft_wrap=True)
    console.print(f"\n[dim]{esc(result.disclaimer)}[/dim]", soft_wrap=True)


commands = [summary]
