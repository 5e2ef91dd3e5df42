"""`summarize`: the deterministic, offline plain-language summary of one trial."""

from __future__ import annotations

from trialscout.registry.model import Trial
from trialscout.summary.design import design_facts
from trialscout.summary.glossary import Glossary, load_glossary
from trialscout.summary.involves import involves_section
from trialscout.summary.model import DISCLAIMER, SECTION_TITLES, Section, Summary
from trialscout.summary.outlook import lead_to_section, limits_section
from trialscout.summary.readability import fk_grade
from trialscout.summary.tested import find_tested, tested_section
from trialscout.summary.who import who_section


def summarize(
    trial: Trial,
    criteria: dict | None = None,
    *,
    glossary: Glossary | None = None,
    with_grade: bool = True,
) -> Summary:
    """Build the five sections from record fields and the glossary; pure (no database, no network).

    `criteria` is the contract-1 dict for this trial (from `trialscout.criteria`), or None.
    """
    if not isinstance(trial, Trial):
        raise TypeError(f"summarize needs a Trial, got {type(trial).__name__}")
    if criteria is not None and not isinstance(criteria, dict):
        raise ValueError(f"{trial.trial_id}: criteria must be a contract-1 dict or None")
    g = glossary or load_glossary()
    design = design_facts(trial)
    tested = find_tested(trial, g)
    bodies = (
        tested_section(trial, g, design, tested),
        who_section(trial, g, criteria),
        involves_section(trial, g, design),
        lead_to_section(trial, g, design),
        limits_section(trial, g, design, tested),
    )
    sections = [
        Section(title, list(body)) for title, body in zip(SECTION_TITLES, bodies, strict=True)
    ]
    summary = Summary(trial_id=trial.trial_id, sections=sections, disclaimer=DISCLAIMER)
    if with_grade:
        summary.grade = fk_grade(summary.text)
    return summary
