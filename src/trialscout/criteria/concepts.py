"""Therapy and condition rules from vocabulary mentions, with negation, exceptions and time windows.

Precision first: a therapy is only a rule when the clause says it was (or was not) received
('prior', 'received', 'treated with', 'use of', ...); a mention after 'except', 'excluding' or
'other than' is never a rule; a clause that merely permits something ('is allowed') gives none;
a qualified condition ('uncontrolled diabetes', 'other malignancy') is not the plain condition.
"""

from __future__ import annotations

import re
from functools import lru_cache

from trialscout import vocab
from trialscout.criteria.matching import NEGATED, Found, Mention, mentions
from trialscout.criteria.phrases import phrases

_CLAUSE = re.compile(r"[;.](?:\s|$)|\bbut\b|\bhowever\b|\bprovided\b|\bunless\b")
_CLAUSE_PUNCT = re.compile(r"[;.](?:\s|$)")
_CUES = phrases().cues  # word lists in data/phrases.yaml
_EXCEPT = re.compile(rf"\b(?:{_CUES['except']})\b")
_RESCOPE = re.compile(rf"\b(?:{_CUES['rescope']})")
_DISTINCT = re.compile(r"\b(?:distinct|different)\b[^,;]{0,40}\bfrom\s*$")
_OTHER_BEFORE = re.compile(rf"\b(?:{_CUES['other']})\b(?:\s+[\w-]+){{0,2}}\s*$")
_STAGE_BEFORE = re.compile(rf"\b(?:{_CUES['stage']})\b(?:\s+[\w-]+){{0,2}}\s*$")
_TARGET_BEFORE = re.compile(
    r"\b(?:(?:first|last|initial|final)\s+(?:dose|doses|administration|infusion)|start|initiation|beginning)"
    r"\s+of\s*(?:the\s+)?(?:study\s+)?(?:[\w-]+\s*(?:,|or|and|/)\s*)*$"
)
_PERMIT = re.compile(
    r"\b(?:(?:is|are|be|was|were)\s+(?:also\s+)?)?(?:allowed|permitted|permissible|acceptable|eligible)\b"
    r"(?!\s+for\s+(?:this|the)\s+(?:study|trial))|\b(?:can|may)\s+be\s+included\b|\bmay\s+participate\b"
)
_DEFINITION = re.compile(r"\b(?:is|are|was|were)\s+defined\s+as\b|\bdefinition\b")
_CONDITIONAL = re.compile(
    r"^(?:participants|patients|subjects|those|women|men|individuals)\s+(?:with|who)\b[^.;]*\b(?:must|should|need|needs|will need)\b"
)
_THERAPY_CUE = re.compile(rf"\b(?:{_CUES['therapy']})\b")
_NEG_THERAPY = re.compile(rf"\b(?:{_CUES['therapy_negation']})\b")
_NEG_CONDITION = re.compile(
    rf"(?:\b(?:{_CUES['condition_negation']})\b)(?:[\s,]+(?:[\w-]+[\s,]+){{0,3}})$"
)
_CUE_AFTER = re.compile(rf"^\s*(?:{_CUES['therapy_after']})\b")
_TEMPORAL_BEFORE = re.compile(rf"\b(?:{_CUES['temporal']})\s+(?:the\s+)?$")
_NAIVE_AFTER = re.compile(r"^[\s-]*(?:treatment[\s-]*)?(?:naive|naïve)")
_NEG_AFTER = re.compile(rf"^[\s-]*(?:{_CUES['negation_after']})\b")
_FOLLOW_SKIP = re.compile(
    r"^\s*(?:tests?|screening|vaccin\w*|antibod\w*(?!\s*(?:\(\w+\)\s*)?(?:is\s+)?positiv)|plan\w*|potential|prevention)\b"
)
_CONDITIONAL_BEFORE = re.compile(  # '< 5 x ULN for liver metastases', 'in patients with ...'
    r"(?:\b(?:for|in)\s+(?:patients|subjects|participants|those|cases)\s+with\s+(?:known\s+|documented\s+)?"
    r"|\bif\s+(?:there\s+(?:is|are)\s+)?(?:known\s+)?|(?:uln|normal|\d)\)?\s+(?:for|in)\s+)$"
)
_GENERIC_SURGERY_OK = re.compile(rf"(?:^|\b(?:{_CUES['any_surgery']})|[,(:;])\s*$")
_NEG_TEST = re.compile(r"\bnegative\s+(?:serum\s+|urine\s+|blood\s+)?$")
_WINDOW = re.compile(
    r"\bwithin\s+(?:the\s+)?(?:past\s+|last\s+|previous\s+|prior\s+|preceding\s+)?(\d+(?:\.\d+)?)\s*(days?|weeks?|months?|years?|d|wks?)\b"
    r"|\b(\d+(?:\.\d+)?)\s*(days?|weeks?|months?|years?)\s+(?:prior to|before|preceding)\b"
    r"|\bin\s+(?:the\s+)?(?:past|last|previous|preceding)\s+(\d+(?:\.\d+)?)\s*(days?|weeks?|months?|years?)\b"
)
_SINCE = re.compile(
    r"(?:≥|>)\s*(\d+(?:\.\d+)?)\s*(days?|weeks?|months?|years?)\s+since\s+(?:the\s+)?(?:prior|previous|last|end of)?\s*(?:[\w-]+\s+){0,2}$"
)
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


@lru_cache(maxsize=16)
def _clauses(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    words = "but" in text or "however" in text or "provided" in text or "unless" in text
    for m in (_CLAUSE if words else _CLAUSE_PUNCT).finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def _in_spans(m: Mention, taken: list[tuple[int, int]]) -> bool:
    return any(m.start < e and s < m.end for s, e in taken)


def _excepted(before: str) -> bool:
    """An 'except'/'other than' scope, unless re-opened by 'including' / 'such as'."""
    rescope = None
    for rescope in _RESCOPE.finditer(before):  # noqa: B007 - we want the last one
        pass
    tail = before[rescope.end() :] if rescope else before
    return bool(_EXCEPT.search(tail))


def not_computable(text: str, kind: str) -> bool:
    """Definitions and conditional requirements ('Participants with HBV must be treated...')."""
    return bool(_DEFINITION.search(text) or (kind == "inclusion" and _CONDITIONAL.match(text)))


def extract_therapies(text: str, kind: str, taken: list[tuple[int, int]]) -> list[Found]:
    found: list[Found] = []
    names: set[str] = set()
    all_mentions = [m for m in mentions("therapy", text) if not _in_spans(m, taken)]
    for start, end in _clauses(text):
        clause = text[start:end]
        if _PERMIT.search(clause):
            continue
        for m in (x for x in all_mentions if start <= x.start < end):
            before = text[start : m.start]
            if _excepted(before) or _TARGET_BEFORE.search(before) or m.name in names:
                continue
            rule = _therapy_rule(m, before, text[m.end : m.end + 20], clause, kind)
            if rule:
                names.add(m.name)
                found.append(Found(rule, m.start, m.end))
    return found


def _therapy_rule(m: Mention, before: str, after: str, clause: str, kind: str) -> dict | None:
    if _TEMPORAL_BEFORE.search(before):
        return None  # 'history before surgery': a point in time, not a treatment criterion
    if m.name == "surgery" and not _GENERIC_SURGERY_OK.search(before):
        return None  # 'refractive surgery' is one kind of surgery, not any surgery
    cue = _THERAPY_CUE.search(before) or _NAIVE_AFTER.match(after) or _CUE_AFTER.match(after)
    if not cue and not (kind == "exclusion" and len(before.split()) <= 1):
        return None
    since = _SINCE.search(before)
    if since:  # 'at least 4 weeks since prior chemotherapy': none in the last 4 weeks
        return {
            "type": "therapy",
            "name": m.name,
            "present": False,
            "within_days": _to_days(since.group(1), since.group(2)),
        }
    negated = bool(_NEG_THERAPY.search(before) or _NAIVE_AFTER.match(after))
    rule: dict = {"type": "therapy", "name": m.name, "present": not negated}
    days = _window(clause)
    if days is not None:
        rule["within_days"] = days
    return rule


def _window(clause: str) -> int | None:
    m = _WINDOW.search(clause)
    if not m:
        return None
    groups = [g for g in m.groups() if g]
    return _to_days(groups[0], groups[1])


def _to_days(value: str, unit: str) -> int:
    return round(float(value) * _DAYS[unit[0]])


def extract_conditions(text: str, kind: str, taken: list[tuple[int, int]]) -> list[Found]:
    found: list[Found] = []
    names: set[str] = set()
    therapy_spans = [(m.start, m.end) for m in mentions("therapy", text)]
    lab_spans = [(m.start, m.end) for m in mentions("lab", text)]
    all_mentions = mentions("condition", text)
    masked = text
    for s, e in taken:  # 'HBeAg negative chronic hepatitis B': the result negates no disease
        masked = masked[:s] + " " * (e - s) + masked[e:]
    for m in all_mentions:  # 'HBeAg negative' must not negate the words after it
        if m.name.startswith(NEGATED):
            masked = masked[: m.start] + " " * (m.end - m.start) + masked[m.end :]
    for start, end in _clauses(text):
        if _PERMIT.search(text[start:end]):
            continue
        previous_end = -10
        for m in (x for x in all_mentions if start <= x.start < end):
            abbreviation = re.fullmatch(r"\s*\(\s*", text[previous_end : m.start]) is not None
            previous_end = m.end
            if (
                _in_spans(m, taken)
                or _in_spans(m, therapy_spans)
                or m.name.lstrip(NEGATED) in names
                or abbreviation
            ):
                continue
            if any(s <= m.start and e > m.end for s, e in lab_spans):
                continue  # 'HCV RNA', 'hepatitis B surface antigen': a lab, not the disease
            before = masked[start : m.start]
            rule = _condition_rule(text, m, before, kind, therapy_spans)
            if rule:
                names.add(rule["name"])
                found.append(Found(rule, m.start, m.end))
    return found


def _condition_rule(text: str, m: Mention, before: str, kind: str, therapy_spans) -> dict | None:
    after = text[m.end : m.end + 45]
    negated = bool(_NEG_CONDITION.search(before) or _NEG_AFTER.match(after))
    if m.name.startswith(NEGATED):
        m = Mention(m.name[len(NEGATED) :], m.start, m.end)
        negated = not negated
    if _FOLLOW_SKIP.match(after):
        if not (_NEG_TEST.search(before) and re.match(r"^\s*tests?\b", after)):
            return None
        if kind == "exclusion":  # 'without a negative pregnancy test': a procedure, not a state
            return None
        negated = True  # 'negative pregnancy test' required to join: not pregnant
    elif _skip_condition(text, m, before, after, kind, therapy_spans):
        return None
    rule = {"type": "condition", "name": m.name, "present": not negated}
    if _OTHER_BEFORE.search(before):  # 'other chronic liver disease': not the trial's own disease
        rule["qualifier"] = "other_than_target"
    codes = vocab.concepts("condition")[m.name].codes
    if codes:
        rule["codes"] = list(codes)
    return rule


def _skip_condition(
    text: str, m: Mention, before: str, after: str, kind: str, therapy_spans
) -> bool:
    """Mentions that are not the patient's condition: exceptions, 'other cancer', subtypes."""
    if (
        kind == "exclusion"
        and _STAGE_BEFORE.search(before)
        and vocab.is_a(m.name, "cancer", "condition")
    ):
        return True  # 'recurrent liver cancer' in an exclusion is a subset, not the disease
    return bool(
        _excepted(before)
        or _CONDITIONAL_BEFORE.search(before)
        or _DISTINCT.search(before)
        or _qualifies_therapy(text, m, therapy_spans)
    )


def _qualifies_therapy(text: str, m: Mention, therapy_spans: list[tuple[int, int]]) -> bool:
    """'systemic therapy for HCC', 'HCC-related chemotherapy': the condition only names a target."""
    for s, e in therapy_spans:
        if 0 <= m.start - e <= 12 and re.fullmatch(
            r"\s*(?:for|of|against|in)\s*(?:the\s+)?", text[e : m.start]
        ):
            return True
        if 0 <= s - m.end <= 14 and re.fullmatch(
            r"\s*-?\s*(?:related|directed|specific)\s*", text[m.end : s]
        ):
            return True
    return False
