"""Section "What taking part involves": status, size, how groups are set, tests, time, places."""

from __future__ import annotations

from trialscout.registry.model import Trial
from trialscout.summary.design import DesignFacts, observational_value
from trialscout.summary.glossary import Glossary
from trialscout.summary.model import Sentence
from trialscout.summary.words import STATUS_SENTENCES, join_words, month_year, short

_TEXT_FIELDS = ("brief_summary", "detailed_description")


def involves_section(trial: Trial, glossary: Glossary, design: DesignFacts) -> list[Sentence]:
    out: list[Sentence] = []
    if trial.overall_status in STATUS_SENTENCES:
        out.append(Sentence(STATUS_SENTENCES[trial.overall_status], "overall_status"))
    if trial.enrollment:
        if trial.enrollment_type == "ACTUAL":
            text = f"{trial.enrollment} people took part."
        elif trial.enrollment_type == "ESTIMATED":
            text = f"About {trial.enrollment} people will take part."
        else:
            text = f"The study is for about {trial.enrollment} people."
        out.append(Sentence(text, "enrollment"))
    if (
        design.randomized
        and design.randomized.value
        and not observational_value(design.observational)
    ):
        out.append(Sentence("This study is randomized.", design.randomized.source))
        out.append(Sentence(glossary.term("randomized").plain, "glossary:randomized"))
    if design.placebo:
        out.append(Sentence("One group gets a placebo.", design.placebo.source))
        out.append(Sentence(glossary.term("placebo").plain, "glossary:placebo"))
    out += _tests(trial, glossary)
    out += _timing(trial)
    out += _places(trial)
    return out


def _tests(trial: Trial, glossary: Glossary) -> list[Sentence]:
    """Visits and tests named in the record's own text (never assumed)."""
    fields = [(f, getattr(trial, f)) for f in _TEXT_FIELDS]
    fields += [(f"outcomes[{i}].measure", o.measure) for i, o in enumerate(trial.outcomes)]
    for path, text in fields:
        names = list(dict.fromkeys(m.entry.plain for m in glossary.find("tests", text)))
        if names:
            words = join_words(names[:4])
            return [Sentence(f"The study record mentions {words}.", path)]
    return []


def _timing(trial: Trial) -> list[Sentence]:
    out = []
    primary = [(i, o) for i, o in enumerate(trial.outcomes) if o.kind == "primary"]
    if primary:
        i, outcome = primary[0]
        frame = short(outcome.time_frame, 60)
        if frame:
            out.append(
                Sentence(
                    f"The main result is checked over this time: {frame}.",
                    f"outcomes[{i}].time_frame",
                )
            )
    start = month_year(trial.start_date)
    if start:
        if trial.start_date_type == "ACTUAL":
            text = f"The study started in {start}."
        elif trial.start_date_type == "ESTIMATED":
            text = f"The study is planned to start in {start}."
        else:
            text = f"The record gives {start} as the start date."
        out.append(Sentence(text, "start_date"))
    end = month_year(trial.completion_date)
    if end:
        if trial.completion_date_type == "ACTUAL":
            text = f"It ended in {end}."
        elif trial.completion_date_type == "ESTIMATED":
            text = f"It is expected to end in {end}."
        else:
            text = f"The record gives {end} as the end date."
        out.append(Sentence(text, "completion_date"))
    return out


def _places(trial: Trial) -> list[Sentence]:
    locs = trial.locations
    if not locs:
        return []
    cities = list(dict.fromkeys(loc.city for loc in locs if loc.city))
    countries = list(dict.fromkeys(loc.country for loc in locs if loc.country))
    count = "1 place" if len(locs) == 1 else f"{len(locs)} places"
    where = ""
    if cities and len(cities) <= 4:
        where = f" in {join_words(cities)}"
    elif countries:
        where = f" in {join_words(countries[:4])}" + (" and more" if len(countries) > 4 else "")
    if cities and len(cities) <= 4 and len(countries) == 1:
        where += f", {countries[0]}"
    return [Sentence(f"The study takes place at {count}{where}.", "locations")]
