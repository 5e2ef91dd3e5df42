"""`match`: which trials could this patient join, and why not the others (thin adapter)."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from trialscout.cli.common import (
    UserError,
    console,
    db_option,
    esc,
    json_option,
    open_database,
    print_json,
)
from trialscout.match import OPEN_STATUSES, MatchReport, Where, match_one, match_patient
from trialscout.patient import PatientError, load_patient
from trialscout.store.trials import TrialNotFound

_STYLE = {"eligible": "green", "possibly_eligible": "yellow", "not_eligible": "red"}
_LEGEND = "✓ satisfied  ✗ rules you out  ? unknown  – not applicable"


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
    "--explain/--no-explain", default=True, help="Show a line per criterion in the table."
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
    except TrialNotFound as exc:
        raise UserError(str(exc)) from None
    except ValueError as exc:  # search filter / place errors
        raise UserError(str(exc)) from None
    finally:
        db.close()
    if as_json:
        print_json(report.to_dict())
    else:
        _print(report, explain)


def _statuses(given: tuple[str, ...]) -> list[str] | None:
    """None (any status) for `--status any`; the open statuses when none is given."""
    if any(s.strip().lower() == "any" for s in given):
        return None
    return list(given) or list(OPEN_STATUSES)


def _print(report: MatchReport, explain: bool) -> None:
    if not report.results:
        console.print("No matching trials found.")
        return
    table = Table(show_lines=explain)
    for col in ("trial", "verdict", "score", "km", "title / criteria"):
        table.add_column(col, overflow="fold")
    for r in report.results:
        lines = [f"[bold]{escape(r.title)}[/bold]"]
        if explain:
            lines += [_line(c) for c in r.criteria]
        verdict = f"[{_STYLE[r.verdict]}]{r.verdict.replace('_', ' ')}[/]"
        if r.failing:
            verdict += f"\n{len(r.failing)} failing"
        km = "" if r.distance_km is None else f"{r.distance_km:.0f}"
        table.add_row(esc(r.nct_id), verdict, f"{r.score:.2f}", km, "\n".join(lines))
    console.print(table)
    if explain:
        console.print(f"[dim]{_LEGEND}[/dim]")
    if report.questions:
        console.print("\n[bold]Questions that would settle the most unknowns:[/bold]")
        for q in report.questions[:5]:
            console.print(f"  • {escape(q.text)}  [dim]({q.trials} trial(s))[/dim]")


def _mark(c) -> str:
    """For the patient, not the raw verdict: a met exclusion is a ✗, an unmet one a ✓."""
    if c.verdict == "not_applicable":
        return "–"
    if c.failed:
        return "✗"
    return "✓" if c.satisfied else "?"


def _line(c) -> str:
    tag = escape(f"[{c.kind[:3]}]")
    return f"{_mark(c)} {tag} {escape(c.text[:90])} — {escape(c.reason)}"


commands = [match]
