"""Age, sex and life-expectancy rules.

Ages are whole completed years: '> 18 years' means completed age ≥ 18, '< 65 years' means
completed age ≤ 64; both bounds in the contract are inclusive. An age is only read when the
text says it is an age ('aged', 'age', 'years old', 'of age', a PDQ 'Age:' label), so
'≥ 5 years before the first dose' never becomes an age rule.
"""

from __future__ import annotations

import re

from trialscout.criteria.matching import Found

_N = r"(\d{1,3}(?:\.\d)?)"
_Y = r"(?:years?|yrs?|y)(?:\s*(?:old|of age))?"
# The word first, then what may not precede it: lookbehinds tried at every position made the
# age patterns 4x slower.
_AGE_CUE = r"(?:\bage(?<!bone age)(?<!gestational age)(?<!skeletal age)[ds]?\b|\bage\s+of\b|\bage\s+range\b)"
_RANGE_AFTER_CUE = re.compile(
    rf"{_AGE_CUE}[\s:,]*(?:between|from|range|≥|of)?\s*{_N}\s*(?:{_Y})?\s*(?:-|to|~|and|through)\s*{_N}\s*(?:{_Y})?"
)
_RANGE_OPS = re.compile(
    rf"{_AGE_CUE}[\s:,]*(≥|>)\s*{_N}\s*(?:years?|yrs?)?\s*(?:old\s*)?(?:and|,|but)\s*(≤|<)\s*{_N}"
)
_RANGE_YEARS_OLD = re.compile(
    rf"\b(?:between\s+)?{_N}\s*(?:-|to|~|and)\s*{_N}\s*(?:years?|yrs?)\s*(?:old|of age)"
)
_OP_AFTER_CUE = re.compile(rf"{_AGE_CUE}[\s:,]*(?:must be|is|of)?\s*(≥|≤|>|<|=)\s*{_N}")
_OP_YEARS_OLD = re.compile(rf"(≥|≤|>|<)\s*{_N}\s*(?:years?|yrs?)\s*(?:old|of age)")
_CUE_OP = re.compile(
    rf"{_AGE_CUE}[^.;]{{0,25}}?(?:(≥|≤|>|<)\s*)?{_N}\s*(?:years?|yrs?)?\s*(?:\(inclusive\)\s*)?(?:or|and)\s*(older|>|over|above|greater|<|younger|under|below)"
)
_YEARS_OR_OLDER = re.compile(
    rf"\b{_N}\s*(?:years?|yrs?)\s*(?:of age\s*|old\s*)?(?:or|and)\s*(older|>|over|above|greater)"
)
_THAN = re.compile(
    rf"\b(?P<dir>older|greater|more|younger|less)\s+than\s+{_N}\s*(?:years?|yrs?)(?:\s*(?:old|of age))?"
)
_PLUS = re.compile(rf"{_AGE_CUE}[\s:,]*{_N}\s*(?:years?|yrs?)?\s*\+")
_LABEL_RANGE = re.compile(rf"^(?:between\s+)?{_N}\s*(?:-|to|~|and)\s*{_N}\b")
_LABEL_MIN = re.compile(
    rf"^(?:≥|>)?\s*{_N}\s*(?:years?)?\s*(?:and|or)\s*(?:over|>|older|above)|^(?:≥|>)\s*{_N}"
)
_LABEL_MAX = re.compile(
    rf"^(?:≤|<)\s*{_N}|^{_N}\s*(?:years?)?\s*(?:and|or)\s*(?:under|<|younger|below)"
)


def extract_age(text: str, context: str = "") -> list[Found]:
    lo, hi, span = _age_bounds(text, context.lower() == "age")
    if lo is None and hi is None:
        return []
    if lo is not None and hi is not None and lo > hi:
        return []
    rule: dict = {"type": "age"}
    if lo is not None:
        rule["min"] = _int(lo)
    if hi is not None:
        rule["max"] = _int(hi)
    return [Found(rule, span[0], span[1])]


def _age_bounds(text: str, labelled: bool):
    if not labelled and "age" not in text and "year" not in text:
        return None, None, (0, 0)
    m = _RANGE_OPS.search(text)
    if m:
        lo, _ = _bound(m.group(1), float(m.group(2)))
        _, hi = _bound(m.group(3), float(m.group(4)))
        return lo, hi, m.span()
    for pattern in (_RANGE_AFTER_CUE, _RANGE_YEARS_OLD):
        m = pattern.search(text)
        if m:
            return float(m.group(1)), float(m.group(2)), m.span()
    if labelled:
        t = text.strip()
        if m := _LABEL_RANGE.match(t):
            return float(m.group(1)), float(m.group(2)), m.span()
        if m := _LABEL_MIN.match(t):
            return float(m.group(1) or m.group(2)), None, m.span()
        if m := _LABEL_MAX.match(t):
            value = float(m.group(1) or m.group(2))
            return None, (value - 1 if t.startswith("<") else value), m.span()
    for pattern in (_OP_AFTER_CUE, _OP_YEARS_OLD):
        m = pattern.search(text)
        if m:
            return _bound(m.group(1), float(m.group(2))) + (m.span(),)
    m = _CUE_OP.search(text) or None
    if m:
        value = float(m.group(2))
        word = m.group(3)
        if word in ("older", ">", "over", "above", "greater"):
            return value, None, m.span()
        return None, value, m.span()
    m = _YEARS_OR_OLDER.search(text) or _PLUS.search(text)
    if m:
        return float(m.group(1)), None, m.span()
    m = _THAN.search(text)  # 'older than 18 years of age'
    if m:
        value = float(m.group(2))
        if m.group("dir") in ("younger", "less"):
            return None, value - 1, m.span()
        return value, None, m.span()
    return None, None, (0, 0)


def _bound(op: str, value: float) -> tuple[float | None, float | None]:
    if op in ("≥", ">"):
        return value, None
    if op == "≤":
        return None, value
    if op == "<":
        return None, value - 1
    return value, value


def _int(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


_SEX_BOTH = re.compile(
    r"\b(?:(?:males?|men)\s*(?:or|and|/|&|and/or)\s*(?:females?|women)|(?:females?|women)\s*(?:or|and|/|&|and/or)\s*(?:males?|men)"
    r"|both\s+(?:sexes|genders)|either\s+(?:sex|gender)|all\s+(?:sexes|genders)|any\s+(?:sex|gender))\b"
)
_SEX_REPRO = re.compile(
    r"contracept|pregnan|childbearing|child-bearing|reproductive|menopaus|lactat|breast|fertil|sterile|partner|birth control|sperm"
)
_FEMALE_ONLY = re.compile(
    r"^(?:(?:adult\s+)?(?:female|women|woman)\b(?!\s*(?:or|and|/)\s*(?:male|men))|only\s+(?:female|women)\b|.*\b(?:female|women)\s+only\b)"
)
_MALE_ONLY = re.compile(
    r"^(?:(?:adult\s+)?(?:male|men)\b(?!\s*(?:or|and|/)\s*(?:female|women))|only\s+(?:male|men)\b|.*\b(?:male|men)\s+only\b)"
)


def extract_sex(text: str, kind: str, context: str = "") -> list[Found]:
    """Sex is read from inclusion criteria only, and never from contraception or pregnancy text."""
    if kind != "inclusion" or not (
        "male" in text or "men" in text or "sex" in text or "gender" in text
    ):
        return []
    both = _SEX_BOTH.search(text)
    if both and not re.search(r"contracept|birth control|partner", text):
        return [Found({"type": "sex", "allowed": ["female", "male"]}, both.start(), both.end())]
    if _SEX_REPRO.search(text):
        return []
    t = text.strip()
    if context.lower() == "sex":
        if re.match(r"^(?:female|women)\b", t) and not _SEX_BOTH.search(t):
            return [Found({"type": "sex", "allowed": ["female"]}, 0, len(t))]
        if re.match(r"^(?:male|men)\b", t) and not _SEX_BOTH.search(t):
            return [Found({"type": "sex", "allowed": ["male"]}, 0, len(t))]
    m = _SEX_BOTH.search(t)
    if m:
        return [Found({"type": "sex", "allowed": ["female", "male"]}, m.start(), m.end())]
    if _FEMALE_ONLY.match(t):
        return [Found({"type": "sex", "allowed": ["female"]}, 0, 6)]
    if _MALE_ONLY.match(t):
        return [Found({"type": "sex", "allowed": ["male"]}, 0, 4)]
    return []


_LIFE = re.compile(
    r"(?:life\s+expectancy|expected\s+survival|estimated\s+survival|survival\s+expectancy|"
    r"expected\s+to\s+survive|expected\s+life\s+span|anticipated\s+survival|predicted\s+survival|"
    r"expected\s+life|estimated\s+life\s+expectancy)"
    r"(?:\s+time)?[^.;≥≤<>\d]{0,30}?(≥|≤|>|<|=)?\s*(\d+(?:\.\d+)?)\s*(hours?|hrs?|days?|weeks?|months?|years?|wks?|mos?)\b"
)
_LABEL_LIFE = re.compile(r"^\s*(≥|≤|>|<|=)?\s*(\d+(?:\.\d+)?)\s*(days?|weeks?|months?|years?)\b")
_TO_MONTHS = {"h": 12 / 365.25 / 24, "d": 12 / 365.25, "w": 7 * 12 / 365.25, "m": 1.0, "y": 12.0}


def extract_life(text: str, context: str = "") -> list[Found]:
    if "surviv" not in text and "expect" not in text and "life" not in text and not context:
        return []
    m = _LIFE.search(text)
    if not m and context.lower() == "life expectancy":
        m = _LABEL_LIFE.match(text)
    if not m:
        return []
    op = {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": ">=", None: ">="}[m.group(1)]
    months = float(m.group(2)) * _TO_MONTHS[m.group(3)[0]]
    value = round(months, 2)
    rule = {"type": "life_expectancy", "op": op, "value": _int(value), "unit": "months"}
    return [Found(rule, m.start(), m.end())]
