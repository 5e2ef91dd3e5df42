"""Clinical scores (ECOG, Child-Pugh, BCLC, Karnofsky, ...): ordered scales, letters and points.

Child-Pugh is given either as a class (A/B/C) or as points (5-15); a class settles a points rule
when the whole class range falls on one side of the limit.
"""

from __future__ import annotations

import operator
import re
from typing import Any

from trialscout.match.results import RuleOutcome
from trialscout.patient.model import Patient

OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "==": operator.eq,
}
ORDER = {
    "bclc": ["0", "A", "B", "C", "D"],
    "nyha": ["I", "II", "III", "IV"],
}
CHILD_PUGH_POINTS = {"A": (5, 6), "B": (7, 9), "C": (10, 15)}
ALIASES = {
    "child-pugh": "child_pugh",
    "childpugh": "child_pugh",
    "ps": "ecog",
    "kps": "karnofsky",
    "who": "ecog",
}
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def system_key(system: str) -> str:
    key = re.sub(r"[\s\-]+", "_", system.strip().lower())
    return ALIASES.get(key, ALIASES.get(system.strip().lower(), key))


def _norm_value(system: str, value: Any) -> str:
    text = str(value).strip().upper()
    if system == "nyha":
        return ROMAN.get(text, text)
    if system == "bclc" and text == "O":
        return "0"
    return text


def evaluate_score(rule: dict[str, Any], patient: Patient) -> RuleOutcome:
    system = system_key(str(rule["system"]))
    label = (
        system.replace("_", "-").upper() if len(system) <= 5 else system.replace("_", "-").title()
    )
    raw = patient.scores.get(system)
    if raw is None:
        return RuleOutcome(None, f"no {label} given", f"score:{system}")
    have = _norm_value(system, raw)
    if rule.get("allowed") is not None:
        allowed = [_norm_value(system, a) for a in rule["allowed"]]
        ok = _in_allowed(system, have, allowed)
        if ok is None:
            return RuleOutcome(
                None,
                f"{label} {have} cannot be compared with {', '.join(allowed)}",
                f"score:{system}",
            )
        return RuleOutcome(ok, f"{label} {have} {'in' if ok else 'not in'} {', '.join(allowed)}")
    op, limit = str(rule.get("op", "")), rule.get("value")
    if op not in OPS or limit is None:
        return RuleOutcome(None, f"{label} rule is not computable")
    ok = _compare(system, have, op, _norm_value(system, limit))
    if ok is None:
        return RuleOutcome(None, f"{label} {have} cannot settle {op} {limit}", f"score:{system}")
    return RuleOutcome(ok, f"{label} {have} {'meets' if ok else 'fails'} {op} {limit}")


def _in_allowed(system: str, have: str, allowed: list[str]) -> bool | None:
    if have in allowed:
        return True
    if system == "child_pugh":
        cls, pts = _child_pugh(have)
        if cls and any(a == cls for a in allowed):
            return True
        if pts is not None and any(a.isdigit() and int(a) == pts for a in allowed):
            return True
        if cls and pts is None and any(a.isdigit() for a in allowed):
            lo, hi = CHILD_PUGH_POINTS[cls]
            pts_allowed = {int(a) for a in allowed if a.isdigit()}
            if set(range(lo, hi + 1)) <= pts_allowed:
                return True
            return False if not set(range(lo, hi + 1)) & pts_allowed else None
    return False


def _child_pugh(value: str) -> tuple[str | None, int | None]:
    m = re.fullmatch(r"([ABC])?\s*(\d{1,2})?", value)
    if not m:
        return None, None
    cls, pts = m.group(1), int(m.group(2)) if m.group(2) else None
    if cls is None and pts is not None:
        cls = next((c for c, (lo, hi) in CHILD_PUGH_POINTS.items() if lo <= pts <= hi), None)
    return cls, pts


def _compare(system: str, have: str, op: str, limit: str) -> bool | None:
    fn = OPS[op]
    if system in ORDER:
        scale = ORDER[system]
        if have in scale and limit in scale:
            return fn(scale.index(have), scale.index(limit))
        return None
    if system == "child_pugh":
        cls, pts = _child_pugh(have)
        lim_cls, lim_pts = _child_pugh(limit)
        if lim_pts is not None and limit.isdigit():
            if pts is not None:
                return fn(pts, lim_pts)
            if cls:
                lo, hi = CHILD_PUGH_POINTS[cls]
                both = {fn(lo, lim_pts), fn(hi, lim_pts)}
                return both.pop() if len(both) == 1 else None
            return None
        if cls and lim_cls:
            return fn("ABC".index(cls), "ABC".index(lim_cls))
        return None
    try:
        return fn(float(have), float(limit))
    except ValueError:
        return None
