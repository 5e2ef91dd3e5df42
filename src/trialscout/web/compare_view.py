"""The compare table of saved trials: one column per trial, rows a patient compares on.

Key rules are the parsed criteria as plain chips (`trialscout.plain`), age and sex left out
(they have their own row); at most `MAX_CHIPS` per kind, the rest counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trialscout import plain
from trialscout.registry.model import Trial
from trialscout.web import viewmodels

MAX_CHIPS = 6
_OWN_ROW = {"age", "sex", "other"}


@dataclass(slots=True)
class Column:
    trial_id: str
    title: str
    status: str | None
    phase: str
    conditions: list[str]
    interventions: list[str]
    ages: str
    sex: str
    nearest: str | None = None
    distance_km: float | None = None
    approximate: bool = False
    last_update: str = ""
    chips: dict[str, list[str]] = field(default_factory=dict)
    more: dict[str, int] = field(default_factory=dict)


def distance_text(km: float | None, approximate: bool) -> str:
    """Whole kilometres; a site placed only by its city and under 5 km is 'in your city'."""
    if km is None:
        return ""
    if approximate and km < 5:
        return "in your city"
    return f"{'about ' if approximate else ''}{km:,.0f} km"


def key_chips(parsed: dict[str, Any] | None, kind: str) -> tuple[list[str], int]:
    """(first chips, how many more) for inclusion or exclusion rules, duplicates dropped."""
    chips: list[str] = []
    for c in (parsed or {}).get("criteria") or []:
        if c.get("kind") != kind:
            continue
        for rule in plain.chip_rules(c):  # negations read as meant; words not understood left out
            if rule.get("type") in _OWN_ROW:
                continue
            chip = viewmodels.rule_label(rule, c.get("text", ""))
            if chip and chip not in chips:
                chips.append(chip)
    return chips[:MAX_CHIPS], max(0, len(chips) - MAX_CHIPS)


def _intervention(i) -> str:
    kind = viewmodels.words(i.type)
    return f"{i.name} ({kind.lower()})" if kind else i.name


def column(trial: Trial, parsed: dict[str, Any] | None, sites: list) -> Column:
    """One trial's column; `sites` as `viewmodels.sites` gives them (nearest first)."""
    e = trial.eligibility
    col = Column(
        trial_id=trial.trial_id,
        title=trial.title,
        status=trial.overall_status,
        phase=viewmodels.phase_label(trial.phases),
        conditions=list(trial.conditions),
        interventions=[_intervention(i) for i in trial.interventions],
        ages=f"{e.minimum_age or 'no minimum'} to {e.maximum_age or 'no maximum'}",
        sex=viewmodels.words(e.sex) or "Not stated",
        last_update=trial.last_update_posted or "Not reported",
    )
    near = next((s for s in sites if s.distance_km is not None), None)
    if near is not None:  # a site the registry names no facility for is shown by its place
        col.nearest = near.place if near.facility == "Site" else f"{near.facility}, {near.place}"
        col.distance_km, col.approximate = near.distance_km, near.approximate
    for kind in ("inclusion", "exclusion"):
        col.chips[kind], col.more[kind] = key_chips(parsed, kind)
    return col
