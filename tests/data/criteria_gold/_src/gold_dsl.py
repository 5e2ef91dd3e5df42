"""Helpers to write the hand annotations compactly; `build.py` turns them into contract-1 v2 JSON.

Criterion text is cut from the raw criteria text (whitespace collapsed, markdown escapes and
list markers removed) between a start and an end snippet chosen by the annotator, so the gold
segmentation is the annotator's, not the splitter's. Values are written already converted to
the canonical unit by hand (e.g. bilirubin 1.5 mg/dL = 25.65 umol/L). Names are the ids of the
vocabulary (src/trialscout/vocab/data/*.yaml); a concept the vocabulary lacks is an `other` leaf.

`logic` is "all", "any" or a tree of ALL/ANY/NOT over rule indexes (None: "all"); `other` rules
left out of the tree are notes qualifying the criterion. `cohort` is the criterion's applies_to
(a rule or a tree of rules written inline). Time windows are days: weeks x 7, months x 30.44
rounded (6 months = 183), years x 365.
"""

import re

ULN = "xULN"


def lab(analyte, op, value, unit):
    return {"type": "lab", "analyte": analyte, "op": op, "value": value, "unit": unit}


def between(analyte, lo, hi, unit):
    return {"type": "lab", "analyte": analyte, "op": "between", "min": lo, "max": hi, "unit": unit}


def qual(analyte, value, op="="):
    """A qualitative result: positive, negative, detectable, undetectable."""
    return {"type": "lab", "analyte": analyte, "op": op, "value": value}


def age(min=None, max=None):
    r = {"type": "age"}
    if min is not None:
        r["min"] = min
    if max is not None:
        r["max"] = max
    return r


def sex(*allowed):
    return {"type": "sex", "allowed": sorted(allowed)}


BOTH = sex("female", "male")
FEMALE = sex("female")
MALE = sex("male")


def _window(r, within_days, since_days):
    if within_days is not None:
        r["within_days"] = within_days
    if since_days is not None:
        r["since_days"] = since_days
    return r


def cond(name, present=True, within_days=None, since_days=None, other_than_target=False, exc=None):
    r = _window({"type": "condition", "name": name, "present": present}, within_days, since_days)
    if other_than_target:
        r["qualifier"] = "other_than_target"
    if exc:
        r["except"] = list(exc)
    return r


def ther(name, present=True, within_days=None, since_days=None):
    r = {"type": "therapy", "name": name, "present": present}
    return _window(r, within_days, since_days)


def score(system, allowed=None, op=None, value=None):
    r = {"type": "score", "system": system}
    if allowed is not None:
        r["allowed"] = allowed
    else:
        r["op"], r["value"] = op, value
    return r


def life(op, value):
    return {"type": "life_expectancy", "op": op, "value": value, "unit": "months"}


def other(text=None):
    """An `other` rule: a clause not computable; without text it takes the criterion's text."""
    return {"type": "other"} if text is None else {"type": "other", "text": text}


def ALL(*xs):  # noqa: N802 - reads as the contract's tree node
    return {"all": list(xs)}


def ANY(*xs):  # noqa: N802
    return {"any": list(xs)}


def NOT(x):  # noqa: N802
    return {"not": x}


def C(kind, start, end, *rules, logic=None, cohort=None):  # noqa: N802
    return {
        "kind": kind,
        "start": start,
        "end": end,
        "rules": list(rules),
        "logic": logic,
        "cohort": cohort,
    }


def I(start, end, *rules, logic=None, cohort=None):  # noqa: E743, N802
    return C("inclusion", start, end, *rules, logic=logic, cohort=cohort)


def E(start, end, *rules, logic=None, cohort=None):  # noqa: N802
    return C("exclusion", start, end, *rules, logic=logic, cohort=cohort)


def collapse(text):
    text = re.sub(r"\\([<>\[\]*_~=+.()#|{}!`-])", r"\1", text)
    return " ".join(text.split())
