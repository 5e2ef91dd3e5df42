"""Score and staging rules: ECOG 0-1, Child-Pugh A or B7, BCLC stage A,B,C, Karnofsky ≥ 70%.

Closed scales (ECOG, Child-Pugh class, BCLC, NYHA, ALBI) are always written as an `allowed` list
so the matcher never has to know an order; open numeric scales (Karnofsky, MELD, Child-Pugh
points) use `op` + `value`.
"""

from __future__ import annotations

import re

from trialscout import vocab
from trialscout.criteria.labs import OPS
from trialscout.criteria.matching import Found, mentions

_FILLER = re.compile(
    r"^(?:\s|:|,|-|\((?:[^()≥≤<>=]{0,40})\)|\b(?:score|scores|status|ps|of|grade|grades|class|classes|"
    r"stage|stages|staging|classification|category|categories|level|performance|function|"
    r"must|be|is|are|was|were|the|in|within|with|liver|points?|range|scale)\b)*"
)
_ROMAN = {
    "i": "I",
    "ii": "II",
    "iii": "III",
    "iv": "IV",
    "1": "I",
    "2": "II",
    "3": "III",
    "4": "IV",
}
_TOKEN = re.compile(
    r"\s*(≥|≤|>|<|=|-|~|,|/|&|\(\d+[^)]*\)|(?:to|or|and|iv|iii|ii|i|[a-d](?:[0-9]{1,2})?|[0-9]{1,3}%?)(?![\w]))"
)
_PAREN = re.compile(r"\s*\([^()]{0,80}\)")
_SKIP_BETWEEN = re.compile(r"(?:\s*(?:\([^()]{0,80}\)|stage|class|grade|score))+")
_AND_ABOVE = re.compile(
    r"^\s*(?:or|and)\s*(?:>|higher|greater|worse|more)|^\s*(?:\+|points?\s+and\s+>)"
)
_AND_BELOW = re.compile(r"^\s*(?:or|and)\s*(?:<|lower|less|better|fewer)")


def extract_scores(text: str) -> list[Found]:
    found: list[Found] = []
    seen: set[str] = set()
    for m in mentions("score", text):
        system = vocab.score_systems()[m.name]
        if m.name == "child_pugh" and not re.match(
            r"\s*(?:-\s*)?(?:score|class|grade|stage|classification|[abc](?:[0-9]{1,2})?\b|\(|:|≤|<|>|≥|liver)",
            text[m.end :],
        ):
            continue  # 'child' alone is only Child-Pugh when a class or score follows
        prefix_op = _prefix_op(text[max(0, m.start - 6) : m.start])
        parsed = _read_values(text, m.end, system, prefix_op)
        if parsed is None:
            continue
        rule, end = parsed
        if rule["system"] not in seen:
            seen.add(rule["system"])
            found.append(Found(rule, m.start, end))
    return found


def _prefix_op(before: str) -> str | None:
    m = re.search(r"(≥|≤|>|<)\s*$", before)
    return m.group(1) if m else None


def _read_values(text: str, pos: int, system: vocab.ScoreSystem, prefix_op: str | None):
    rest = text[pos : pos + 80]
    offset = _FILLER.match(rest).end()
    tokens, end = _tokens(rest[offset:])
    if not tokens:
        return None
    op = prefix_op
    if tokens[0] in OPS:
        op, tokens = tokens[0], tokens[1:]
    values = [t for t in tokens if t not in ("-", "to", "~", "or", "and", ",", "/", "&")]
    if not values:
        return None
    tail = rest[offset + end :]
    if op is None and len(values) == 1 and _AND_ABOVE.match(tail):
        op = "≥"
    elif op is None and len(values) == 1 and _AND_BELOW.match(tail):
        op = "≤"
    is_range = len(values) == 2 and any(t in ("-", "to", "~") for t in tokens)
    rule = _build(system, op, values, is_range)
    return (rule, pos + offset + end) if rule else None


def _tokens(rest: str) -> tuple[list[str], int]:
    tokens, pos = [], 0
    while True:
        paren = _PAREN.match(rest, pos)
        if tokens and paren and re.match(r"\s*(?:or|and|,|/)\s", rest[paren.end() :]):
            pos = paren.end()  # 'stage B (not eligible for LRT) or stage C'
        m = _TOKEN.match(rest, pos)
        if not m:
            break
        tok = m.group(1)
        if tok.startswith("("):  # '(5-6 points)' annotation
            pos = m.end()
            continue
        if tok in ("or", "and", ",", "/") and (skip := _SKIP_BETWEEN.match(rest, m.end())):
            tokens.append(tok)
            pos = skip.end()
            continue
        if tok in OPS and tokens and tokens[-1] not in ("or", "and", ","):
            break
        tokens.append(tok)
        pos = m.end()
    while tokens and tokens[-1] in ("-", "to", "~", "or", "and", ",", "/", "&"):
        tokens.pop()
    return tokens, pos


def _build(system: vocab.ScoreSystem, op: str | None, values: list[str], is_range: bool):
    if system.name == "child_pugh" and any(re.fullmatch(r"[abc]?\d{1,2}", v) for v in values):
        return _child_pugh_points(op, values, is_range)
    if system.numeric:
        return _numeric(system, op, values, is_range)
    scale = [str(v).upper() for v in system.values]
    picked = []
    for v in values:
        key = _ROMAN.get(v, v.upper()) if system.name == "nyha" else v.upper()
        if key not in scale:
            return None
        picked.append(key)
    if is_range:
        lo, hi = scale.index(picked[0]), scale.index(picked[1])
        if lo > hi:
            return None
        picked = scale[lo : hi + 1]
    elif op and len(picked) == 1:
        i = scale.index(picked[0])
        picked = {
            "≥": scale[i:],
            ">": scale[i + 1 :],
            "≤": scale[: i + 1],
            "<": scale[:i],
            "=": [picked[0]],
        }[op]
    if not picked:
        return None
    typed = [v for v in system.values if str(v).upper() in picked]
    return {"type": "score", "system": system.name, "allowed": typed}


def _numeric(system: vocab.ScoreSystem, op: str | None, values: list[str], is_range: bool):
    nums = []
    for v in values:
        if not re.fullmatch(r"\d{1,3}%?", v):
            return None
        nums.append(int(v.rstrip("%")))
    if any(n < (system.min or 0) or n > (system.max or 1e9) for n in nums):
        return None
    if is_range:
        if nums[1] == system.max:
            return {"type": "score", "system": system.name, "op": ">=", "value": nums[0]}
        return None
    if op is None or len(nums) != 1:
        return None
    return {"type": "score", "system": system.name, "op": OPS[op], "value": nums[0]}


def _child_pugh_points(op: str | None, values: list[str], is_range: bool):
    points: list[int] = []
    for v in values:
        m = re.fullmatch(r"([abc])?(\d{1,2})?", v)
        letter, num = m.group(1), m.group(2)
        if num:
            points.append(int(num))
        elif letter:
            points.extend({"a": [5, 6], "b": [7, 8, 9], "c": [10, 11, 12, 13, 14, 15]}[letter])
    if not points or any(p < 5 or p > 15 for p in points):
        return None
    if is_range and len(points) == 2:
        points = list(range(points[0], points[1] + 1))
    elif op and len(points) == 1:
        return {"type": "score", "system": "child_pugh_score", "op": OPS[op], "value": points[0]}
    return {"type": "score", "system": "child_pugh_score", "allowed": sorted(set(points))}
