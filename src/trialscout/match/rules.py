"""Evaluate one contract-1 rule against a patient: does its statement hold? (True/False/None).

Missing data gives `None` with the question that would settle it; it never counts as normal.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trialscout.match.concepts import canonical, descendants_and_synonyms, satisfies
from trialscout.match.results import RuleOutcome
from trialscout.match.scores import evaluate_score
from trialscout.patient.model import Patient
from trialscout.patient.note import NoteText
from trialscout.patient.units import UnitError, analyte_key, analytes, convert

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}
PREGNANCY = {"pregnancy", "breastfeeding"}


@dataclass
class PatientView:
    """A patient plus what evaluation needs repeatedly (parsed note, today's date)."""

    patient: Patient
    today: date = field(default_factory=date.today)
    _note: NoteText | None = None

    @property
    def note(self) -> NoteText | None:
        if self._note is None and self.patient.note:
            self._note = NoteText(self.patient.note)
        return self._note


def evaluate_rule(rule: dict[str, Any], view: PatientView) -> RuleOutcome:
    kind = rule.get("type")
    handler = _HANDLERS.get(kind)
    if handler is None:
        return RuleOutcome(None, f"rule type {kind!r} is not computable")
    try:
        return handler(rule, view)
    except (KeyError, TypeError, ValueError) as exc:  # a malformed rule must not stop the match
        return RuleOutcome(None, f"could not evaluate {kind} rule ({exc.__class__.__name__})")


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


def condition_state(view: PatientView, name: str, codes: list[str] | None = None) -> bool | None:
    """True if the patient has `name` (or a narrower concept), False if known not to, else None."""
    p = view.patient
    concept = canonical(name)
    if concept in PREGNANCY and p.sex == "male":
        return False
    if concept == "pregnancy" and p.pregnant is not None:
        return p.pregnant
    if concept == "pregnancy" and p.note:
        return None  # a note's "pregnancy" is usually history (G2P2, pregnancy-induced ...)
    negative = False
    wanted = {str(c).lower() for c in codes or []}
    for fact in p.conditions:
        hit = bool(wanted & {c.lower() for c in fact.codes}) or satisfies(fact.name, name)
        if hit and fact.own:
            return True
        if not fact.present and (hit or satisfies(name, fact.name)):
            negative = True
    return _note_state(view, name, negative)


def _note_state(view: PatientView, name: str, negative: bool) -> bool | None:
    note = view.note
    if note is not None:
        for form in descendants_and_synonyms(name):
            state = note.mention(form)
            if state is True:
                return True
            if state is False:
                negative = True
    return False if negative else None


def _condition(rule: dict, view: PatientView) -> RuleOutcome:
    name = str(rule["name"])
    want = rule.get("present", True) is not False
    state = condition_state(view, name, rule.get("codes"))
    if state is None:
        return RuleOutcome(
            None, f"not known whether the patient has {name}", f"condition:{canonical(name)}"
        )
    has = "has" if state else "does not have"
    return RuleOutcome(state == want, f"patient {has} {name}")


def _therapy(rule: dict, view: PatientView) -> RuleOutcome:
    name = str(rule["name"])
    want = rule.get("present", True) is not False
    within = rule.get("within_days")
    key = f"therapy:{canonical(name)}"
    state, when = _therapy_state(view, name)
    if state is None:
        return RuleOutcome(None, f"not known whether the patient had {name}", key)
    if state and within is not None:
        if when is None:
            return RuleOutcome(
                None, f"had {name}, date unknown (rule: within {within} days)", key + ":date"
            )
        recent = (view.today - when).days <= int(within)
        state = recent
        timing = f"{(view.today - when).days} days ago"
        return RuleOutcome(state == want, f"{name} {timing} (rule: within {within} days)")
    return RuleOutcome(state == want, f"patient {'had' if state else 'did not have'} {name}")


def _therapy_state(view: PatientView, name: str) -> tuple[bool | None, date | None]:
    negative = False
    for fact in view.patient.therapies:
        if satisfies(fact.name, name):
            if fact.own:
                return True, fact.date
            negative = negative or not fact.present
        elif not fact.present and satisfies(name, fact.name):
            negative = True
    state = _note_state(view, name, negative)
    return state, None


def _lab(rule: dict, view: PatientView) -> RuleOutcome:
    key = analyte_key(str(rule["analyte"]))
    op, limit = str(rule.get("op", "")), rule.get("value")
    unit = str(rule.get("unit") or (analytes()[key].unit if key in analytes() else ""))
    lab = view.patient.labs.get(key)
    want = f"{op} {_fmt(limit)} {unit}".strip()
    if lab is None:
        return RuleOutcome(None, f"no {key} value given (needs {want})", f"lab:{key}")
    if op == "between" and isinstance(limit, list | tuple) and len(limit) == 2:
        first = _lab({**rule, "op": ">=", "value": limit[0]}, view)
        if first.holds is False or first.holds is None:
            return first
        return _lab({**rule, "op": "<=", "value": limit[1]}, view)
    if op not in OPS or not isinstance(limit, int | float):
        return RuleOutcome(None, f"{key} rule '{want}' is not computable")
    value = _lab_in_unit(lab, unit, key)
    if isinstance(value, RuleOutcome):
        return value
    shown = f"{key} {lab.display()}" + ("" if lab.unit == unit else f" (= {_fmt(value)} {unit})")
    if lab.comparator in ("<", "<=") or lab.comparator in (">", ">="):
        return _censored(lab.comparator, value, op, float(limit), shown, want)
    ok = OPS[op](value, float(limit))
    return RuleOutcome(ok, f"{shown} {'meets' if ok else 'fails'} {want}")


def _lab_in_unit(lab: Any, unit: str, key: str) -> float | RuleOutcome:
    if unit.lower() == "xuln":
        if lab.unit == "xULN":
            return lab.value
        if lab.ref_high:
            return lab.value / lab.ref_high
        return RuleOutcome(
            None,
            f"{key} {lab.display()} given without the lab's upper limit of normal",
            f"uln:{key}",
        )
    if lab.unit == "xULN":
        return RuleOutcome(None, f"{key} given as {lab.display()}, rule needs {unit}", f"lab:{key}")
    if not lab.unit or not unit:
        return lab.value
    try:
        return convert(lab.value, lab.unit, unit, key)
    except UnitError:
        return RuleOutcome(
            None, f"cannot compare {key} {lab.display()} with a limit in {unit}", f"lab:{key}"
        )


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
    return RuleOutcome(None, "not machine-readable: check by hand")


_HANDLERS: dict[str | None, Callable[[dict, PatientView], RuleOutcome]] = {
    "age": _age,
    "sex": _sex,
    "condition": _condition,
    "therapy": _therapy,
    "lab": _lab,
    "score": lambda rule, view: evaluate_score(rule, view.patient),
    "life_expectancy": _life,
    "other": _other,
}
