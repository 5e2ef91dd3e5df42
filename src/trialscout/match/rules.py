"""Evaluate one contract-1 rule against a patient: does its statement hold? (True/False/None).

Missing data gives `None` with the question that would settle it; a measurement (lab, score,
age, life expectancy) is never assumed. Conditions and therapies are read from the history
(history.py). Lab values are brought to the rule's unit by the vocabulary's unit layer.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from trialscout import vocab
from trialscout.match.history import Scope, evaluate_history
from trialscout.match.results import Basis, RuleOutcome
from trialscout.match.scores import evaluate_score
from trialscout.match.view import PatientView
from trialscout.patient.model import LabValue

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}
# Qualitative results that say the same thing.
_SAME = {"negative": "negative", "undetectable": "negative", "not detected": "negative",
         "positive": "positive", "detectable": "positive", "detected": "positive"}  # fmt: skip


def evaluate_rule(
    rule: dict[str, Any], view: PatientView | None, scope: Scope | None = None
) -> RuleOutcome:
    """One rule's outcome with its basis; an unknown outcome always has basis `missing`
    (`view` may be None only for rules outside `PATIENT_RULES`)."""
    kind = rule.get("type")
    if kind in ("condition", "therapy"):
        out = evaluate_history(rule, view, scope or Scope())
    elif kind in _HANDLERS:
        out = _HANDLERS[kind](rule, view)
    else:
        out = RuleOutcome(None, f"rule type {kind!r} is not computable")
    if out.holds is None and out.applicable:
        out.basis = Basis.MISSING
    return out


def age_span(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo:g}–{hi:g} years"
    if lo is None and hi is None:
        return "any age"
    return f"{lo:g} years or older" if lo is not None else f"{hi:g} years or younger"


def _age(rule: dict, view: PatientView) -> RuleOutcome:
    lo, hi = rule.get("min"), rule.get("max")
    span = age_span(lo, hi)
    age = view.patient.age
    if age is None:
        return RuleOutcome(None, f"age not given (needs {span})", "age")
    ok = (lo is None or age >= lo) and (hi is None or age <= hi)
    return RuleOutcome(ok, f"age {age:g}: {'within' if ok else 'outside'} {span}")


def _sex(rule: dict, view: PatientView) -> RuleOutcome:
    allowed = {str(s).lower() for s in rule.get("allowed") or []}
    if not allowed or allowed & {"all", "any", "both"} or allowed >= {"male", "female"}:
        return RuleOutcome(True, "open to all sexes")
    sex = view.patient.sex
    if sex is None:
        return RuleOutcome(
            None, f"sex not given (trial accepts {', '.join(sorted(allowed))})", "sex"
        )
    ok = sex in allowed
    return RuleOutcome(ok, f"sex {sex} {'accepted' if ok else 'not accepted'}")


def _patient_lab(view: PatientView, key: str) -> LabValue | None:
    labs = view.patient.labs
    if key in labs:
        return labs[key]
    return view.remember(
        ("lab", key),
        lambda: next((v for k, v in labs.items() if vocab.canonical_analyte(k) == key), None),
    )


def _lab(rule: dict, view: PatientView) -> RuleOutcome:
    name = str(rule["analyte"])
    key = vocab.canonical_analyte(name) or name
    op, limit = str(rule.get("op", "")), rule.get("value")
    if op == "between" and isinstance(limit, list | tuple) and len(limit) == 2:  # version 1
        rule, limit = {**rule, "min": limit[0], "max": limit[1], "value": None}, None
    lab = _patient_lab(view, key)
    if op == "between":
        want = f"between {_fmt(rule.get('min'))} and {_fmt(rule.get('max'))} {rule.get('unit', '')}"
    else:
        want = f"{op} {_fmt(limit)} {rule.get('unit') or ''}".strip()
    if lab is None:
        return RuleOutcome(None, f"no {key} value given (needs {want})", f"lab:{key}",
                           basis=Basis.MISSING)  # fmt: skip
    if isinstance(limit, str):
        return _qualitative(key, lab, op, limit)
    if op == "between":
        low = _lab({**rule, "op": ">=", "value": rule.get("min")}, view)
        if low.holds is not True:
            return low
        return _lab({**rule, "op": "<=", "value": rule.get("max")}, view)
    if op not in OPS or not isinstance(limit, int | float):
        return RuleOutcome(None, f"{key} rule '{want}' is not computable", basis=Basis.MISSING)
    if lab.value is None:
        return RuleOutcome(None, f"{key} {lab.display()} has no value to compare with {want}",
                           f"lab:{key}", basis=Basis.MISSING)  # fmt: skip
    unit = str(rule.get("unit") or "")
    value = _lab_in_unit(lab, unit, key)
    if isinstance(value, RuleOutcome):
        return value
    converted = lab.unit != unit and bool(unit)
    shown = f"{key} {lab.display()}" + (f" (= {_fmt(value)} {unit})" if converted else "")
    basis = Basis.INFERRED if converted else Basis.STATED
    if lab.comparator in ("<", "<=", ">", ">="):
        out = _censored(lab.comparator, value, op, float(limit), shown, want)
        out.basis = basis if out.holds is not None else Basis.MISSING
        return out
    ok = OPS[op](value, float(limit))
    return RuleOutcome(ok, f"{shown} {'meets' if ok else 'fails'} {want}", basis=basis)


def _qualitative(key: str, lab: LabValue, op: str, wanted: str) -> RuleOutcome:
    """'HBeAg negative' against a result given as text ("negative", "undetectable")."""
    want = _SAME.get(wanted.strip().lower(), wanted.strip().lower())
    have = _SAME.get((lab.result or "").strip().lower()) if lab.result else None
    if have is None:
        return RuleOutcome(None, f"{key} {lab.display()}: no qualitative result (needs {wanted})",
                           f"lab:{key}", basis=Basis.MISSING)  # fmt: skip
    same = have == want
    ok = same if op in ("=", "==") else not same if op == "!=" else None
    if ok is None:
        return RuleOutcome(None, f"{key} rule '{op} {wanted}' is not computable",
                           basis=Basis.MISSING)  # fmt: skip
    return RuleOutcome(ok, f"{key} {lab.result}: {'meets' if ok else 'fails'} {op} {wanted}",
                       basis=Basis.STATED)  # fmt: skip


def _lab_in_unit(lab: LabValue, unit: str, key: str) -> float | RuleOutcome:
    assert lab.value is not None
    if unit.lower() == "xuln":
        if lab.unit == "xULN":
            return lab.value
        if lab.ref_high:
            return lab.value / lab.ref_high
        return RuleOutcome(None, f"{key} {lab.display()} given without the lab's upper limit "
                           "of normal", f"uln:{key}", basis=Basis.MISSING)  # fmt: skip
    if lab.unit == "xULN":
        return RuleOutcome(None, f"{key} given as {lab.display()}, rule needs {unit}",
                           f"lab:{key}", basis=Basis.MISSING)  # fmt: skip
    if not lab.unit or not unit or lab.unit == unit:
        return lab.value
    try:
        have = vocab.to_canonical(key, lab.value, lab.unit)
        limit_unit = vocab.to_canonical(key, 1.0, unit)
        if have.unit != limit_unit.unit:
            raise vocab.UnitError(key)
        # the limit is in `unit`: express the patient's value in it (linear within the unit)
        zero = vocab.to_canonical(key, 0.0, unit).value
        return (have.value - zero) / (limit_unit.value - zero)
    except vocab.UnitError:
        return RuleOutcome(None, f"cannot compare {key} {lab.display()} with a limit in {unit}",
                           f"lab:{key}", basis=Basis.MISSING)  # fmt: skip


def _censored(cmp: str, value: float, op: str, limit: float, shown: str, want: str) -> RuleOutcome:
    """'< 20 IU/mL' against '< 100': holds; against '< 10': cannot tell."""
    below = cmp in ("<", "<=")
    if below and op in ("<", "<=") and value <= limit:
        return RuleOutcome(True, f"{shown} meets {want}")
    if below and op in (">", ">=") and value <= limit:
        return RuleOutcome(False, f"{shown} fails {want}")
    if not below and op in (">", ">=") and value >= limit:
        return RuleOutcome(True, f"{shown} meets {want}")
    if not below and op in ("<", "<=") and value >= limit:
        return RuleOutcome(False, f"{shown} fails {want}")
    return RuleOutcome(None, f"{shown} cannot settle {want}")


def _fmt(x: Any) -> str:
    return f"{x:g}" if isinstance(x, int | float) else str(x)


def _life(rule: dict, view: PatientView) -> RuleOutcome:
    months = view.patient.life_expectancy_months
    op, limit = str(rule.get("op", ">=")), rule.get("value")
    if months is None:
        return RuleOutcome(None, "life expectancy not given", "life_expectancy")
    if op not in OPS or not isinstance(limit, int | float):
        return RuleOutcome(None, "life expectancy rule is not computable")
    ok = OPS[op](months, float(limit))
    return RuleOutcome(
        ok, f"life expectancy {months:g} months {'meets' if ok else 'fails'} {op} {limit:g}"
    )


def _other(rule: dict, view: PatientView) -> RuleOutcome:
    return RuleOutcome(None, "not machine-readable: check by hand", basis=Basis.MISSING)


# Rule types whose outcome depends on the patient; any other type has one outcome for all.
PATIENT_RULES = frozenset({"condition", "therapy", "age", "sex", "lab", "score", "life_expectancy"})

_HANDLERS: dict[str | None, Callable[[dict, PatientView], RuleOutcome]] = {
    "age": _age,
    "sex": _sex,
    "lab": _lab,
    "score": lambda rule, view: evaluate_score(rule, view.patient),
    "life_expectancy": _life,
    "other": _other,
}
