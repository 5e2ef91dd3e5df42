"""`criteria`: show the parsed eligibility criteria of a stored trial, or parse any text."""

from __future__ import annotations

import sys

import click
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
from trialscout.criteria import parse_criteria
from trialscout.ingest.criteria_store import load_criteria


@click.command()
@click.argument("trial_id", required=False)
@click.option("--text", "text", help="Parse this criteria text instead ('-' reads stdin).")
@db_option
@json_option
def criteria(trial_id, text, db_path, as_json):
    """Parsed eligibility criteria: of a stored TRIAL_ID, or of --text TEXT.

    Without an 'Inclusion/Exclusion Criteria' heading, items count as inclusion criteria.
    """
    if (trial_id is None) == (text is None):
        raise UserError("give either a TRIAL_ID or --text TEXT (use --text - to read stdin)")
    if text is not None:
        data = parse_criteria(sys.stdin.read() if text == "-" else text, None)
    else:
        data = load_criteria(open_database(db_path), trial_id)
        if data is None:
            raise UserError(f"no trial {trial_id.strip()!r} in the database")
    if as_json:
        print_json(data)
        return
    _print_table(data)


def _print_table(data: dict) -> None:
    title = esc(data["nct_id"] or "criteria text")
    table = Table(title=f"{title}: {len(data['criteria'])} criteria", show_lines=True)
    table.add_column("kind", style="bold")
    table.add_column("criterion", overflow="fold", ratio=3)
    table.add_column("rules", overflow="fold", ratio=2)
    for c in data["criteria"]:
        kind = "[green]incl[/green]" if c["kind"] == "inclusion" else "[red]excl[/red]"
        rules = "\n".join(_describe(r) for r in c["rules"])
        if c.get("logic") == "any":
            rules = "[dim]any of:[/dim]\n" + rules
        table.add_row(kind, esc(c["text"]), rules)
    console.print(table)


def _describe(rule: dict) -> str:
    """One rule as escaped markup (names and units come from the criteria text)."""
    return esc(_words(rule)) if rule["type"] in _KNOWN else "[dim]not computable[/dim]"


_KNOWN = {"lab", "score", "age", "sex", "condition", "therapy", "life_expectancy"}


def _words(rule: dict) -> str:
    t = rule["type"]
    if t == "lab":
        return f"{rule['analyte']} {rule['op']} {rule['value']:g} {rule['unit']}"
    if t == "score":
        if "allowed" in rule:
            return f"{rule['system']} in {', '.join(map(str, rule['allowed']))}"
        return f"{rule['system']} {rule['op']} {rule['value']:g}"
    if t == "age":
        return f"age {rule.get('min', 'any')}-{rule.get('max', 'any')} years"
    if t == "sex":
        return "sex: " + " or ".join(rule["allowed"])
    if t in ("condition", "therapy"):
        neg = "" if rule["present"] else "no "
        window = f" within {rule['within_days']} days" if "within_days" in rule else ""
        return f"{t}: {neg}{rule['name']}{window}"
    if t == "life_expectancy":
        return f"life expectancy {rule['op']} {rule['value']:g} months"
    return "not computable"


commands = [criteria]
