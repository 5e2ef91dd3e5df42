"""Section "Who can join": conditions, age, sex, volunteers, and parsed criteria in plain words.

Parsed criteria follow contract 1 (DESIGN.md). Each sentence cites the criterion it came from
(``criteria[3].rules[0]``). Rules we cannot put in plain words are counted, never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from trialscout.registry.model import Trial
from trialscout.summary.glossary import Glossary
from trialscout.summary.model import Sentence
from trialscout.summary.words import age_years, clean_name, inline, join_words, number

MAX_RULES = 12
_AT = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "=": "exactly"}
_FLIP = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "=": "="}
_SCORE_NAMES = {
    "ecog": "ECOG score",
    "child_pugh": "Child-Pugh class",
    "bclc": "BCLC stage",
    "karnofsky": "Karnofsky score",
    "lansky": "Lansky score",
    "child_pugh_score": "Child-Pugh score",
    "meld": "MELD score",
    "albi": "ALBI grade",
    "nyha": "NYHA class",
}
_SEX = {
    "ALL": "Both men and women can join.",
    "FEMALE": "Only women can join.",
    "MALE": "Only men can join.",
}


def who_section(trial: Trial, glossary: Glossary, criteria: dict | None) -> list[Sentence]:
    out = _conditions(trial, glossary)
    out += _basics(trial)
    if criteria:
        e = trial.eligibility
        said = set()
        if _age_words(e.minimum_age, e.min_age_years) or _age_words(e.maximum_age, e.max_age_years):
            said.add("age")
        if e.sex in _SEX:
            said.add("sex")
        out += criteria_sentences(criteria, glossary, skip_types=frozenset(said))
    elif trial.eligibility.criteria:
        out.append(
            Sentence(
                "The record lists more rules about who can join. Ask the study team about them.",
                "eligibility.criteria",
            )
        )
    return out


def _conditions(trial: Trial, glossary: Glossary) -> list[Sentence]:
    plain: list[str] = []
    about: list[Sentence] = []
    for cond in trial.conditions:
        entry = glossary.exact("conditions", cond)
        words = entry.plain if entry else inline(clean_name(cond))
        if words and words.lower() not in (p.lower() for p in plain):
            plain.append(words)
            if entry and entry.about and len(about) < 2:
                about.append(Sentence(entry.about, entry.source))
    if not plain:
        return []
    return [
        Sentence(f"The study is for people with {join_words(plain[:4])}.", "conditions"),
        *about,
    ]


def _basics(trial: Trial) -> list[Sentence]:
    e = trial.eligibility
    out = []
    lo = _age_words(e.minimum_age, e.min_age_years)
    hi = _age_words(e.maximum_age, e.max_age_years)
    if lo and hi:
        if lo.endswith(" years") and hi.endswith(" years"):
            text = f"You must be {lo.removesuffix(' years')} to {hi} old."
        else:
            text = f"You must be from {lo} to {hi} old."
        out.append(Sentence(text, "eligibility.minimum_age, eligibility.maximum_age"))
    elif lo:
        out.append(Sentence(f"You must be at least {lo} old.", "eligibility.minimum_age"))
    elif hi:
        out.append(Sentence(f"You must be {hi} old or younger.", "eligibility.maximum_age"))
    if e.sex in _SEX:
        out.append(Sentence(_SEX[e.sex], "eligibility.sex"))
    if e.healthy_volunteers is True:
        out.append(Sentence("Healthy volunteers can also join.", "eligibility.healthy_volunteers"))
    elif e.healthy_volunteers is False:
        out.append(Sentence("Healthy volunteers cannot join.", "eligibility.healthy_volunteers"))
    return out


def _age_words(written: str | None, years: float | None) -> str | None:
    """'18 Years' -> '18 years'; '30 Days' -> '30 days' (as written, never converted)."""
    if written and re.fullmatch(
        r"\d+(\.\d+)? (years?|months?|weeks?|days?|hours?|minutes?)", written.strip(), re.I
    ):
        return re.sub(r"^1 (\w+)s$", r"1 \1", written.strip().lower())
    if years:  # 0 (or missing) means no limit worth stating
        return f"{age_years(years)} years"
    return None


def criteria_sentences(
    criteria: dict, glossary: Glossary, skip_types: frozenset[str] = frozenset({"age", "sex"})
) -> list[Sentence]:
    """Plain sentences for contract-1 rules, capped; explains each score system once."""
    items = criteria.get("criteria") or []
    out: list[Sentence] = []
    explained: set[str] = set()
    hidden = 0
    for ci, crit in enumerate(items):
        if not isinstance(crit, dict):
            continue
        exclusion = crit.get("kind") == "exclusion"
        rules = crit.get("rules")
        for ri, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, dict) and str(rule.get("type")) in skip_types:  # said already
                continue
            text = rule_sentence(rule, exclusion, glossary) if isinstance(rule, dict) else None
            if text is None or len(out) >= MAX_RULES:
                hidden += 1
                continue
            out.append(Sentence(text, f"criteria[{ci}].rules[{ri}]"))
            system = str(rule.get("system"))
            if rule.get("type") == "score" and system not in explained:
                term = glossary.get("terms", system)
                if term:
                    out.append(Sentence(term.plain, term.source))
                    explained.add(system)
    if hidden:
        out.append(
            Sentence(
                ("There is 1 more rule" if hidden == 1 else f"There are {hidden} more rules")
                + " in the full list. Check them with the study team.",
                "criteria",
            )
        )
    return out


def rule_sentence(rule: dict[str, Any], exclusion: bool, glossary: Glossary) -> str | None:
    kind = rule.get("type")
    builder = _BUILDERS.get(str(kind))
    if builder is None:
        return None
    try:
        return builder(rule, exclusion, glossary)
    except (KeyError, TypeError, ValueError):
        return None  # a malformed rule is left to the full list, never half-said


def _condition(rule, exclusion, glossary):
    name = str(rule["name"])
    entry = glossary.exact("conditions", name)
    words = entry.plain if entry else name
    wanted = rule.get("present", True) != exclusion
    return f"You must have {words}." if wanted else f"You cannot join if you have {words}."


def _therapy(rule, exclusion, glossary):
    name = str(rule["name"])
    when = ""
    if rule.get("within_days"):
        when = f" in the last {_days(float(rule['within_days']))}"
    wanted = rule.get("present", True) != exclusion
    if wanted:
        return f"You must have had {name}{when}."
    return f"You cannot join if you have had {name}{when}."


def _days(days: float) -> str:
    """180 -> '6 months', 14 -> '2 weeks', 365 -> '1 year' (how criteria are usually written)."""
    for size, unit in ((365, "year"), (30, "month"), (7, "week")):
        if days >= size and days % size == 0:
            n = int(days // size)
            return f"{n} {unit}" + ("s" if n != 1 else "")
    return f"{number(days)} days"


def _unit(value: Any, unit: str | None) -> str:
    if unit in (None, "", "1"):
        return number(value)
    if unit == "%":
        return f"{number(value)}%"
    if unit == "xULN":
        return f"{number(value)} times the upper limit of normal"
    return f"{number(value)} {unit}"


def _lab(rule, exclusion, glossary):
    op = str(rule["op"])
    if op not in _AT:
        return None
    entry = glossary.lab(str(rule["analyte"]))
    name = entry.plain if entry else str(rule["analyte"]).replace("_", " ")
    if exclusion:
        op = _FLIP[op]
    return f"Your {name} must be {_AT[op]} {_unit(rule['value'], rule.get('unit'))}."


def _score(rule, exclusion, glossary):
    system = str(rule["system"])
    name = _SCORE_NAMES.get(system, system.replace("_", " ") + " score")
    if rule.get("allowed"):
        allowed = [str(a) for a in rule["allowed"]]
        if exclusion:
            return f"You cannot join if your {name} is {join_words(allowed, 'or')}."
        return f"Your {name} must be {join_words(allowed, 'or')}."
    op = str(rule["op"])
    if op not in _AT:
        return None
    if exclusion:
        op = _FLIP[op]
    return f"Your {name} must be {_AT[op]} {number(rule['value'])}."


def _life(rule, exclusion, glossary):
    op = str(rule.get("op", ">="))
    if exclusion or op not in (">=", ">"):
        return None
    unit = str(rule.get("unit") or "months")
    return f"Your doctors must expect you to live {_AT[op]} {number(rule['value'])} {unit}."


def _age(rule, exclusion, glossary):
    lo, hi = rule.get("min"), rule.get("max")
    if exclusion:
        return None
    if lo is not None and hi is not None:
        return f"You must be {number(lo)} to {number(hi)} years old."
    if lo is not None:
        return f"You must be at least {number(lo)} years old."
    if hi is not None:
        return f"You must be {number(hi)} years old or younger."
    return None


def _sex(rule, exclusion, glossary):
    allowed = [str(a).upper() for a in rule.get("allowed") or []]
    if exclusion or len(allowed) != 1:
        return None
    return _SEX.get(allowed[0])


_BUILDERS = {
    "condition": _condition,
    "therapy": _therapy,
    "lab": _lab,
    "score": _score,
    "life_expectancy": _life,
    "age": _age,
    "sex": _sex,
}
