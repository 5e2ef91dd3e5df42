"""Section "What is being tested": the interventions, what each is in plain words, the groups."""

from __future__ import annotations

from dataclasses import dataclass

from trialscout.registry.model import Trial
from trialscout.summary.design import DesignFacts, observational_value
from trialscout.summary.glossary import Entry, Glossary, normalize
from trialscout.summary.model import Sentence
from trialscout.summary.words import capitalize, clean_name, inline, join_words, short

MAX_NAMES = 5
MAX_EXPLAINED = 6
MAX_ARMS = 4
_COMPARATORS = {"placebo", "standard of care"}
_TYPE_WORDS = {
    "DRUG": "a drug",
    "BIOLOGICAL": "a biological medicine (made from living cells)",
    "PROCEDURE": "a medical procedure",
    "DEVICE": "a medical device",
    "RADIATION": "a radiation treatment",
    "BEHAVIORAL": "a program about habits or behavior",
    "DIETARY_SUPPLEMENT": "a dietary supplement",
    "GENETIC": "a gene-based treatment or test",
    "DIAGNOSTIC_TEST": "a test",
    "COMBINATION_PRODUCT": "a product that combines a drug and a device",
}


@dataclass(frozen=True, slots=True)
class Tested:
    """A glossary entry found for the trial, with the words the record used and where."""

    entry: Entry
    display: str
    source: str


def find_tested(trial: Trial, glossary: Glossary) -> list[Tested]:
    """Glossary entries named by the interventions (or, lacking those, by the arm texts).

    A short intervention description is searched only when the name gave no specific entry
    ("Antiviral drugs", described as "tenofovir or similar"), and only for drugs.
    """
    found: dict[str, Tested] = {}
    for path, text, drugs_only in _fields(trial, glossary):
        name = clean_name(text)
        for m in glossary.find("interventions", name):
            if m.entry.key in found or (drugs_only and m.entry.kind not in ("drug", "biologic")):
                continue
            whole = normalize(name).lower() == m.text.lower() and len(m.text) > 4
            display = inline(name) if whole else m.entry.key
            found[m.entry.key] = Tested(m.entry, display, path)
    return list(found.values())


def covered_interventions(trial: Trial, glossary: Glossary) -> set[int]:
    """Indexes of interventions whose name (or other names) the glossary explains."""
    covered = set()
    for i, iv in enumerate(trial.interventions):
        for text in (iv.name, *iv.other_names):
            if glossary.find("interventions", clean_name(text)):
                covered.add(i)
    return covered


def _fields(trial: Trial, g: Glossary) -> list[tuple[str, str, bool]]:
    fields: list[tuple[str, str, bool]] = []
    for i, iv in enumerate(trial.interventions):
        fields.append((f"interventions[{i}].name", iv.name, False))
        fields += [(f"interventions[{i}].other_names", n, False) for n in iv.other_names]
        specific = [
            m for m in g.find("interventions", clean_name(iv.name)) if m.entry.kind != "class"
        ]
        if not specific and short(iv.description, 80):
            fields.append((f"interventions[{i}].description", iv.description or "", True))
    if not trial.interventions:
        for i, arm in enumerate(trial.arms):
            fields.append((f"arms[{i}].label", arm.label, False))
            fields.append((f"arms[{i}].description", arm.description or "", False))
    return fields


def tested_section(
    trial: Trial, glossary: Glossary, design: DesignFacts, tested: list[Tested]
) -> list[Sentence]:
    out: list[Sentence] = []
    names = _names(trial, tested)
    listed = join_words(names)
    if len(names) > MAX_NAMES:  # "and more" rather than a count we would have to derive
        listed = ", ".join(names[:MAX_NAMES]) + " and more"
    if observational_value(design.observational):
        out.append(Sentence("This is an observational study.", design.observational.source))
        if names:
            out.append(Sentence(f"This study follows people who get {listed}.", "interventions"))
        out.append(Sentence(glossary.term("observational").plain, "glossary:observational"))
    elif names:
        out.append(Sentence(f"This study tests {listed}.", "interventions"))
    for item in tested[:MAX_EXPLAINED]:
        out.append(Sentence(f"{capitalize(item.display)}: {item.entry.plain}.", item.entry.source))
    out += _unexplained(trial, glossary)
    out += _arms(trial, glossary)
    return out


def _names(trial: Trial, tested: list[Tested]) -> list[str]:
    comparators = {t.source.split(".")[0] for t in tested if t.entry.key in _COMPARATORS}
    names = []
    for i, iv in enumerate(trial.interventions):
        name = clean_name(iv.name)
        if not name or f"interventions[{i}]" in comparators:
            continue
        if name.lower() not in (n.lower() for n in names):
            names.append(inline(name))
    if not names:  # only comparators: still say what is given
        names = [inline(n) for n in (clean_name(iv.name) for iv in trial.interventions) if n][:1]
    return names


def _unexplained(trial: Trial, glossary: Glossary) -> list[Sentence]:
    """Interventions with no glossary entry: their short description or their type only."""
    covered = covered_interventions(trial, glossary)
    out: list[Sentence] = []
    said: set[str] = set()
    for i, iv in enumerate(trial.interventions):
        name = clean_name(iv.name)
        if not name or i in covered or name.lower() in said or len(out) >= 3:
            continue
        said.add(name.lower())
        desc = short(iv.description, 80)
        if desc:
            text, path = (
                f"The record describes {inline(name)} as: {desc}.",
                f"interventions[{i}]",
            )
        elif iv.type in _TYPE_WORDS:
            text, path = (
                f"{capitalize(name)} is {_TYPE_WORDS[iv.type]}.",
                f"interventions[{i}]",
            )
        else:
            continue
        out.append(Sentence(text, path))
    return out


def _arms(trial: Trial, glossary: Glossary) -> list[Sentence]:
    arms = trial.arms
    if len(arms) < 2:
        return []
    out = [Sentence(f"The study has {len(arms)} groups.", "arms")]
    for i, arm in enumerate(arms[:MAX_ARMS]):
        label = clean_name(arm.label)
        if not label:
            continue
        if not label.lower().startswith(("group", "arm", "cohort")):
            label = f"the group {label}"
        gets = list(
            dict.fromkeys(inline(clean_name(n)) for n in arm.interventions if clean_name(n))
        )
        text = None
        if arm.type == "NO_INTERVENTION":
            text = f"{capitalize(label)} gets no study treatment."
        elif gets and _same(join_words(gets), arm.label):
            text = f"One group gets only {join_words(gets)}."  # the label just repeats the names
        elif gets:
            text = f"{capitalize(label)} gets {join_words(gets)}."
        elif arm.description:
            named = [m.entry.key for m in glossary.find("interventions", arm.description)]
            named = list(dict.fromkeys(named))[:3]
            if named:
                text = (
                    f"The text for {label.removeprefix('the group ')} mentions: {', '.join(named)}."
                )
        if text:
            out.append(Sentence(text, f"arms[{i}]"))
    if len(arms) > MAX_ARMS:
        out.append(Sentence(f"The record lists {len(arms) - MAX_ARMS} more groups.", "arms"))
    return out


def _same(a: str, b: str) -> bool:
    return normalize(clean_name(a)).lower() == normalize(clean_name(b)).lower()
