"""Helpers to write the hand annotations compactly; `build.py` turns them into contract-1 JSON.

Criterion text is cut from the raw criteria text (whitespace collapsed, markdown escapes and
list markers removed) between a start and an end snippet chosen by the annotator, so the gold
segmentation is the annotator's, not the splitter's. Values are written already converted to
the canonical unit by hand (e.g. bilirubin 1.5 mg/dL = 25.65 umol/L).
"""

import re

ULN = "xULN"


def lab(analyte, op, value, unit):
    return {"type": "lab", "analyte": analyte, "op": op, "value": value, "unit": unit}


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


def cond(name, present=True):
    return {"type": "condition", "name": name, "present": present}


def ther(name, present=True, within_days=None):
    r = {"type": "therapy", "name": name, "present": present}
    if within_days is not None:
        r["within_days"] = within_days
    return r


def score(system, allowed=None, op=None, value=None):
    r = {"type": "score", "system": system}
    if allowed is not None:
        r["allowed"] = allowed
    else:
        r["op"], r["value"] = op, value
    return r


def life(op, value):
    return {"type": "life_expectancy", "op": op, "value": value, "unit": "months"}


def C(kind, start, end, *rules, logic=None):
    return {"kind": kind, "start": start, "end": end, "rules": list(rules), "logic": logic}


def I(start, end, *rules, logic=None):  # noqa: E743
    return C("inclusion", start, end, *rules, logic=logic)


def E(start, end, *rules, logic=None):
    return C("exclusion", start, end, *rules, logic=logic)


def collapse(text):
    text = re.sub(r"\\([<>\[\]*_~=+.()#|{}!`-])", r"\1", text)
    return " ".join(text.split())
