"""Sections "What this could lead to" and "What could go wrong / limits of this study"."""

from __future__ import annotations

from trialscout.registry.model import Trial
from trialscout.summary.design import DesignFacts, observational_value
from trialscout.summary.glossary import Glossary
from trialscout.summary.model import Sentence
from trialscout.summary.tested import Tested
from trialscout.summary.words import (
    PHASE_ORDER,
    PHASE_WORDS,
    article,
    capitalize,
    clean_name,
    inline,
    join_words,
    short,
)

SMALL_STUDY = 100  # fewer people than this: we add the "small study" caution


_PURPOSE = {
    "TREATMENT": "The study looks at ways to treat {who}.",
    "PREVENTION": "The study looks at ways to prevent {who}.",
    "SUPPORTIVE_CARE": "The study looks at ways to ease symptoms or side effects for people with {who}.",
    "DIAGNOSTIC": "The study looks at ways to find or diagnose {who}.",
    "SCREENING": "The study looks at ways to screen for {who}.",
}


def lead_to_section(trial: Trial, glossary: Glossary, design: DesignFacts) -> list[Sentence]:
    """The main measures, and what success would mean, only from outcomes or the summary."""
    out: list[Sentence] = []
    primary = [(i, o) for i, o in enumerate(trial.outcomes) if o.kind == "primary"][:2]
    goals: list[tuple[str, str, str]] = []  # (glossary key, goal, field that named it)
    for i, outcome in primary:
        measure = short(outcome.measure, 90)
        if measure:
            out.append(
                Sentence(
                    f"The main thing the study measures is: {measure}.", f"outcomes[{i}].measure"
                )
            )
        for m in glossary.find("outcomes", outcome.measure)[:1]:
            goals.append((m.entry.key, m.entry.plain, f"outcomes[{i}].measure"))
    if not primary:
        for m in glossary.find("outcomes", trial.brief_summary)[:1]:
            goals.append((m.entry.key, m.entry.plain, "brief_summary"))
    cond = _condition(trial, glossary)
    who = f"For people with {cond}, t" if cond else "T"
    seen: set[str] = set()
    for key, goal, path in goals:
        if key in seen or len(seen) >= 2:
            continue
        seen.add(key)
        if key == "safety":
            text = f"The study aims to {goal}."
        elif observational_value(design.observational):
            text = f"{who}he results could show if the treatment can {goal}."
        else:
            text = f"{who}he treatment could {goal}, if it works."
        out.append(Sentence(text, path))
    named = cond or (inline(clean_name(trial.conditions[0])) if trial.conditions else None)
    if not goals and named and trial.design.purpose in _PURPOSE:
        text = _PURPOSE[trial.design.purpose].format(who=named)
        out.append(Sentence(text, "design.purpose, conditions"))
    return out


def _condition(trial: Trial, glossary: Glossary) -> str | None:
    """Up to two glossary-named conditions of the record, in plain words."""
    names: list[str] = []
    for cond in trial.conditions:
        entry = glossary.exact("conditions", cond)
        if entry and entry.plain not in names:
            names.append(entry.plain)
    return join_words(names[:2]) or None


def limits_section(
    trial: Trial, glossary: Glossary, design: DesignFacts, tested: list[Tested]
) -> list[Sentence]:
    out = _phase(trial, glossary)
    if trial.enrollment and trial.enrollment < SMALL_STUDY:
        about = "" if trial.enrollment_type == "ACTUAL" else "about "
        text = f"It is a small study, with {about}{trial.enrollment} people."
        out.append(Sentence(text, "enrollment"))
        out.append(Sentence(glossary.term("small study").plain, "glossary:small study"))
    out += _design_limits(glossary, design)
    out += _status(trial)
    out += _side_effects(trial, tested)
    return out


def _phase(trial: Trial, glossary: Glossary) -> list[Sentence]:
    phases = [p for p in PHASE_ORDER if p in trial.phases]
    if not phases:
        return []
    words = join_words([PHASE_WORDS[p] for p in phases])
    out = [Sentence(f"This is {article(words)} {words} study.", "phases")]
    term = glossary.get("terms", f"phase {phases[0]}")
    if term:
        out.append(Sentence(term.plain, term.source))
    if phases[-1] in ("EARLY_PHASE1", "PHASE1"):
        out.append(
            Sentence(glossary.term("early phase limits").plain, "glossary:early phase limits")
        )
    return out


def _design_limits(glossary: Glossary, design: DesignFacts) -> list[Sentence]:
    out = []
    if observational_value(design.observational):
        out.append(
            Sentence(glossary.term("observational limits").plain, "glossary:observational limits")
        )
    if design.single_group and design.single_group.value:
        out.append(Sentence(glossary.term("single group").plain, design.single_group.source))
    if design.randomized and not design.randomized.value:
        out.append(Sentence("The groups are not picked by chance.", design.randomized.source))
        out.append(Sentence(glossary.term("non-randomized").plain, "glossary:non-randomized"))
    if design.open_label and design.open_label.value:
        out.append(Sentence("This study is open label.", design.open_label.source))
        out.append(Sentence(glossary.term("open label").plain, "glossary:open label"))
    return out


def _status(trial: Trial) -> list[Sentence]:
    out = []
    if trial.overall_status in ("TERMINATED", "WITHDRAWN", "SUSPENDED"):
        why = short(trial.why_stopped, 100)
        if why:
            out.append(Sentence(f"The reason given for stopping: {why}.", "why_stopped"))
    if trial.overall_status == "COMPLETED" and not trial.has_results:
        out.append(Sentence("No results have been posted for this study yet.", "has_results"))
    return out


def _side_effects(trial: Trial, tested: list[Tested]) -> list[Sentence]:
    out = []
    silent: list[Tested] = []
    for item in tested:
        effects = item.entry.side_effects
        if effects is None:
            if item.entry.kind in ("drug", "biologic", "procedure", "class"):
                silent.append(item)
            continue
        label = "US prescribing information" in effects.source
        cited = "the US drug label" if label else effects.source
        items = join_words(list(effects.items))
        text = f"{capitalize(item.display)} can cause {items} (source: {cited})."
        out.append(Sentence(text, item.entry.source, reference=effects.source))
    if silent:
        names = join_words([t.display for t in silent])
        paths = ", ".join(dict.fromkeys(t.source for t in silent))
        out.append(Sentence(f"This summary lists no side effects for {names}.", paths))
        out.append(Sentence("Ask the study team about the risks.", paths))
    return out
