"""Lab thresholds: 'AST, ALT ≤ 2.5 × ULN', 'Platelets ≥ 50 × 109 / L', 'HBV DNA > 2000 copies/ml'.

A group of analytes joined by commas, slashes, 'and' or 'or' shares the comparator that follows
it. A rule is emitted only when analyte, comparator, number and a unit that converts to the
analyte's canonical unit are all found; anything less is left for `other`.
"""

from __future__ import annotations

import re

from trialscout import vocab
from trialscout.criteria.matching import Found, Mention, mentions
from trialscout.criteria.textnorm import number_at
from trialscout.vocab.units import match_unit

OPS = {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "="}
_JOINERS = {"", ",", "/", "and", "or", "and/or", "&", "+", "-", ",and", ",or", "or/and"}
_STRAY = re.compile(r"[\s()]+")
_PAREN_ABBR = re.compile(r"^\s*\(\s*[\w\s/-]{1,20}\s*\)\s*-?")  # 'bilirubin (TBIL)'
_FILLER = re.compile(
    r"^(?:\s|:|,|-|\)|\((?:[^()≥≤<>=]{0,30})\)|\b(?:level|levels|count|counts|value|values|concentration|"
    r"must|should|shall|be|is|are|was|were|of|in|serum|plasma|blood|the|test|result|results|"
    r"measured|titer|titre|quantitative|quantification|load|still|remains|remained|persistently|"
    r"seroclearance|loss)\b|\()*"
)
_OP = re.compile(r"^\s*(≥|≤|>|<|=)\s*")
_RELATIVE = re.compile(
    r"^\s*(?:>|<|≥|≤)?\s*(?:the\s+)?(?:control|normal|uln\b|upper|baseline|mean|lln|lower)"
)
_RANGE = re.compile(r"^\s*(?:-|to|~)\s*")


_INVERT = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "=": "="}
_REQUIREMENT = re.compile(r"\b(?:must|should|shall|required|need|needs)\b")
_TARGET = re.compile(
    r"\b(?:reduced|lowered|controlled|brought|maintained|kept)\s+(?:down\s+)?(?:to|below|within)\b|\btarget\b"
)


def extract_labs(text: str, kind: str = "inclusion") -> list[Found]:
    """Lab rules in `text`. In an exclusion, a stated requirement ('platelets must be greater than
    70,000') excludes when it fails, so its comparator is inverted."""
    found: list[Found] = []
    for group in _groups(mentions("lab", text), text):
        rest_start = group[-1].end
        if _TARGET.search(text[max(0, group[0].start - 90) : group[0].start]):
            continue  # 'could not be reduced to (systolic < 140)': a target, not a threshold
        parsed = _threshold(text, rest_start, group)
        if parsed is None:
            continue
        rules, end, required = parsed
        if kind == "exclusion" and required:
            rules = [dict(r, op=_INVERT[r["op"]]) for r in rules]
        found.extend(Found(rule, group[0].start, end) for rule in rules)
    return found


def _groups(items: list[Mention], text: str) -> list[list[Mention]]:
    groups: list[list[Mention]] = []
    for m in items:
        if groups and _joined(text[groups[-1][-1].end : m.start]):
            if m.name != groups[-1][-1].name:
                groups[-1].append(m)
            else:  # 'alanine transaminase (ALT)': same analyte twice
                groups[-1][-1] = Mention(m.name, groups[-1][-1].start, m.end)
            continue
        groups.append([m])
    return groups


def _joined(between: str) -> bool:
    return len(between) < 40 and _STRAY.sub("", between) in _JOINERS


def _threshold(text: str, pos: int, group: list[Mention]) -> tuple[list[dict], int, bool] | None:
    rest = text[pos : pos + 120]
    abbr = _PAREN_ABBR.match(rest)
    offset = abbr.end() if abbr else 0
    filler = _FILLER.match(rest[offset:])
    required = bool(_REQUIREMENT.search(filler.group(0)))
    offset += filler.end()
    op_m = _OP.match(rest[offset:])
    if not op_m:
        return None
    offset += op_m.end()
    num = number_at(rest[offset:])
    if num is None:
        return None
    value, n = num
    offset += n
    unit_text = rest[offset:]
    if _RANGE.match(unit_text) and number_at(unit_text[_RANGE.match(unit_text).end() :]):
        return None  # '≥ 1.5-2' style ranges are left alone
    unit = match_unit(unit_text)
    unit_raw, used = ("", 0) if unit is None else (unit_text[: unit[1]], unit[1])
    if _RELATIVE.match(unit_text[used:]) and (unit is None or unit[0].token != "xULN"):
        return None  # 'PT < 0.6 seconds above control' is not an absolute threshold
    rules = []
    for mention in group:
        rule = _rule(mention.name, OPS[op_m.group(1)], value, unit_raw)
        if rule:
            rules.append(rule)
    return (rules, pos + offset + used, required) if rules else None


def _rule(analyte: str, op: str, value: float, unit_raw: str) -> dict | None:
    item = vocab.analytes()[analyte]
    if not unit_raw.strip() and item.unit != "1":
        # 'hematocrit < 25' can only be %; 'HCV RNA > 1000' with no unit stays not computable
        unit_raw = vocab.bare_unit(analyte, value) or ""
        if not unit_raw:
            return None
    try:
        q = vocab.to_canonical(analyte, value, unit_raw)
    except ValueError:
        return None
    return {"type": "lab", "analyte": analyte, "op": op, "value": _num(q.value), "unit": q.unit}


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


_RESULT_AFTER = re.compile(
    r"^\s*(?:\(\s*\w+\s*\)\s*)?(?:status\s+)?(?:is\s+|was\s+|must be\s+|test\s+)?[-:]?\s*"
    r"(?P<r>positive|negative|seropositive|seronegative|undetectable|detectable|not detectable|"
    r"not detected|detected|positivity|negativity)\b"
)
_RESULT_BEFORE = re.compile(
    r"\b(?P<r>positive|negative|undetectable|detectable)\s+(?:for\s+|serum\s+)?$"
)
_RESULTS = {
    "positive": "positive",
    "seropositive": "positive",
    "positivity": "positive",
    "detected": "detectable",
    "detectable": "detectable",
    "negative": "negative",
    "seronegative": "negative",
    "negativity": "negative",
    "undetectable": "undetectable",
    "not detectable": "undetectable",
    "not detected": "undetectable",
}


def extract_qualitative(text: str, taken: list[tuple[int, int]]) -> list[Found]:
    """'HBeAg negative', 'HBsAg-positive', 'undetectable HBV DNA' -> a lab rule on the result."""
    found: list[Found] = []
    for m in mentions("lab", text):
        if (
            any(m.start < e and s < m.end for s, e in taken)
            or not vocab.analytes()[m.name].qualitative
        ):
            continue
        after = _RESULT_AFTER.match(text[m.end : m.end + 40])
        before = _RESULT_BEFORE.search(text[max(0, m.start - 30) : m.start])
        hit = after or before
        if hit is None:
            continue
        rule = {"type": "lab", "analyte": m.name, "op": "=", "value": _RESULTS[hit.group("r")]}
        if after:
            found.append(Found(rule, m.start, m.end + after.end()))
        else:
            found.append(
                Found(
                    rule,
                    m.start - (len(text[max(0, m.start - 30) : m.start]) - before.start()),
                    m.end,
                )
            )
    return found


_BETWEEN = re.compile(
    r"^\s*(?:level\s+|value\s+|of\s+|is\s+|must be\s+)*(?:between|from|of)?\s*"
    r"(?P<a>\d+(?:\.\d+)?)\s*(?P<ua>[^\d\s-][^\s-]{0,10})?\s*(?:and|to|-|–)\s*(?P<b>\d+(?:\.\d+)?)\s*(?P<ub>[^\s,;)]{1,12})"
)


def extract_ranges(text: str, taken: list[tuple[int, int]]) -> list[Found]:
    """'HbA1c between 7% and 11%' -> {op: between, min, max} in the canonical unit."""
    found: list[Found] = []
    for m in mentions("lab", text):
        if any(m.start < e and s < m.end for s, e in taken):
            continue
        hit = _BETWEEN.match(text[m.end : m.end + 60])
        if hit is None:
            continue
        unit_a = hit.group("ua") or hit.group("ub")
        try:
            lo = vocab.to_canonical(m.name, float(hit.group("a")), unit_a)
            hi = vocab.to_canonical(m.name, float(hit.group("b")), hit.group("ub"))
        except ValueError:
            continue
        if lo.unit != hi.unit or lo.value > hi.value:
            continue
        rule = {
            "type": "lab",
            "analyte": m.name,
            "op": "between",
            "min": _num(lo.value),
            "max": _num(hi.value),
            "unit": lo.unit,
        }
        found.append(Found(rule, m.start, m.end + hit.end()))
    return found
