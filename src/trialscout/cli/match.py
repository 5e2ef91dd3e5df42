"""`match`: which trials could this patient join, and why not the others (thin adapter)."""

from __future__ import annotations

import shutil
import textwrap

import click

from trialscout.cli.common import UserError, db_option, json_option, open_database, print_json
from trialscout.match import OPEN_STATUSES, MatchReport, Where, match_one, match_patient
from trialscout.patient import PatientError, load_patient
from trialscout.plain import status_text, verdict_text
from trialscout.plain.arrange import Arranged, arrange, ask_text
from trialscout.store.trials import TrialNotFound, TrialStore


@click.command()
@click.argument("patient_file", type=click.Path(dir_okay=False))
@click.option("--trial", "trial_id", help="Judge this one trial (NCT number or registry ID).")
@click.option("--near", help="Only trials with a site near this place (city or 'city, country').")
@click.option("--radius", "radius_km", type=float, help="Radius in km around --near.")
@click.option(
    "--status",
    multiple=True,
    help="Overall status filter, e.g. recruiting (repeatable); default: open to enrolment "
    "(recruiting, not yet recruiting, enrolling by invitation); 'any' for every status.",
)
@click.option(
    "--limit", type=click.IntRange(1, 200), default=10, show_default=True, help="Trials to show."
)
@click.option(
    "--candidates",
    type=click.IntRange(1, 1000),
    default=50,
    show_default=True,
    help="Search hits to evaluate.",
)
@click.option(
    "--explain/--no-explain",
    default=False,
    help="Under each trial: what rules you out, what to ask, then the rest.",
)
@db_option
@json_option
def match(
    patient_file, trial_id, near, radius_km, status, limit, candidates, explain, db_path, as_json
):
    """Match a patient (profile YAML/JSON, FHIR R4 bundle, or .txt note) to trials.

    The patient file is read on this machine only; nothing about the patient is stored or logged.
    """
    try:
        patient = load_patient(patient_file)
    except PatientError as exc:
        raise UserError(str(exc)) from None
    db = open_database(db_path)
    try:
        if trial_id:
            report = match_one(db, patient, trial_id)
        else:
            where = Where(near=near, radius_km=radius_km, status=_statuses(status))
            report = match_patient(db, patient, where=where, limit=limit, candidates=candidates)
        statuses = _statuses_of(db, report.results)
    except TrialNotFound as exc:
        raise UserError(str(exc)) from None
    except ValueError as exc:  # search filter / place errors
        raise UserError(str(exc)) from None
    finally:
        db.close()
    if as_json:
        print_json(report.to_dict())
    else:
        _print(report, statuses, explain)


def _statuses(given: tuple[str, ...]) -> list[str] | None:
    """None (any status) for `--status any`; the open statuses when none is given."""
    if any(s.strip().lower() == "any" for s in given):
        return None
    return list(given) or list(OPEN_STATUSES)


def _statuses_of(db, results) -> dict[str, str | None]:
    """Each shown trial's registry status (the match result does not carry it)."""
    store = TrialStore(db)
    return {r.trial_id: store.get(r.trial_id).trial.overall_status for r in results}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _print(report: MatchReport, statuses: dict[str, str | None], explain: bool) -> None:
    """One line per trial (verdict, status, distance, the deciding reason); --explain adds
    each trial's criteria answer-first. Plain text: record text is never read as markup."""
    if not report.results:
        click.echo("No matching trials found.")
        return
    width = max(shutil.get_terminal_size((80, 24)).columns, 60)
    head = f"{'trial':<15}{'verdict':<10}{'status':<13}{'km':>6}  why"
    click.echo(_fit(head, width))
    for r in report.results:
        shown = arrange(r)
        km = "" if r.distance_km is None else f"{r.distance_km:.0f}"
        status = status_text(statuses.get(r.trial_id))
        line = f"{_fit(r.nct_id, 14):<15}{verdict_text(str(r.verdict)):<10}"
        line += f"{_fit(status, 12):<13}{km:>6}  {shown.why}"
        click.echo(_fit(line, width))
        if explain:
            _explain(r.title, shown, width)
    if report.questions and not explain:
        click.echo("\nQuestions that would settle the most (use --explain for details):")
        for q in report.questions[:3]:
            click.echo(_fit(f"  • {ask_text(q.key)} ({q.trials} trial(s))", width))


def _explain(title: str, shown: Arranged, width: int) -> None:
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="      ")
    click.echo(textwrap.fill(title, width, initial_indent="  ", subsequent_indent="  "))
    click.echo(f"  {shown.headline}.")
    for item in shown.deciding:
        click.echo(wrap.fill(f"✗ {item.sentence}"))
        click.echo(wrap.fill(f"  why: {item.reason}"))
    for ask in shown.questions:
        click.echo(wrap.fill(f"? {ask.text} (settles {ask.settles})"))
    for item in shown.team:
        click.echo(wrap.fill(f"· for the study team: {item.text}"))
    for item in shown.rest:
        mark = "–" if item.state == "not_applicable" else "✓"
        click.echo(wrap.fill(f"{mark} {item.text}: {item.reason}"))
    click.echo("")


commands = [match]
