"""Condition and therapy rules against the patient's history, with the basis of each answer.

Read the way clinicians read a record: the patient's own facts (not family, not hypothetical)
count, through the vocabulary's hierarchy; a negated fact about the concept (or a broader one)
is known absence; in a complete history (a note, a FHIR record, a profile that says so) a
concept that is not mentioned at all is presumed absent, but only where that presumption clears
the patient of an exclusion (`Scope.presume`), never to meet an inclusion. Time windows
(`within_days`, `since_days`) need dated facts; without a date the answer is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from trialscout import vocab
from trialscout.match.concepts import is_within, mentioned, relation
from trialscout.match.results import Basis, RuleOutcome
from trialscout.match.view import PatientView
from trialscout.patient.model import Assertion, ConditionFact, TherapyFact

Fact = ConditionFact | TherapyFact


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a rule sits: the criterion's kind, the trial's own conditions, and whether
    presuming absence of this rule's concept would clear the patient (exclusion side)."""

    kind: str = "inclusion"
    targets: tuple[str, ...] = ()
    presume: bool = False


def _triple(fact: Fact) -> tuple[str, str | None, tuple[str, ...]]:
    return fact.name, fact.concept, tuple(fact.codes)


def _negated(fact: Fact) -> bool:
    return not fact.present or fact.assertion == Assertion.NEGATED


def _last_date(fact: Fact) -> date | None:
    if isinstance(fact, TherapyFact):
        return fact.date or fact.end or fact.start
    return fact.abated or fact.onset


def _excluded_by_qualifier(rule: dict[str, Any], fact: Fact, scope: Scope, kind: str) -> str | None:
    """Why a matching fact does not count: the trial's own disease, or an `except` name."""
    if rule.get("qualifier") == "other_than_target" and kind == "condition":
        for target in scope.targets:
            if is_within(fact.concept or fact.name, target, kind):
                return f"{fact.name} is the trial's own condition"
    for name in rule.get("except") or []:
        if is_within(fact.concept or fact.name, str(name), kind):
            return f"{fact.name} is excepted ({name})"
    return None


def evaluate_history(rule: dict[str, Any], view: PatientView, scope: Scope) -> RuleOutcome:
    """Does the rule's statement ("has X" / "does not have X", in a window) hold?"""
    kind = str(rule["type"])
    if not rule.get("name"):
        raise ValueError(f"a {kind} rule must have a name (contract 1): {rule!r}")
    name = str(rule["name"])
    want = rule.get("present", True) is not False
    key = f"{kind}:{name}"
    special = _pregnancy(name, view) if kind == "condition" else None
    if special is not None:
        state, basis, why = special
        if state is None:
            return RuleOutcome(None, why, key, applicable=False, basis=basis)
        return RuleOutcome(state == want, why, basis=basis)
    codes = tuple(str(c) for c in rule.get("codes") or [])
    related, absent = view.remember(
        ("history", kind, name, codes), lambda: _scan(view, kind, name, codes)
    )
    hits, skipped = [], []
    for fact, basis in related:
        why = _excluded_by_qualifier(rule, fact, scope, kind)
        (skipped if why else hits).append((fact, basis, why))
    own = _own_disease(hits, scope, want, kind)
    if hits and len(own) == len(hits):
        why = (
            f"{own[0].name} is the disease this trial studies: does the criterion mean another one?"
        )
        return RuleOutcome(None, why, key)
    if hits:
        return _present(rule, [h for h in hits if h[0] not in own], want, view.today, key)
    if skipped:
        return RuleOutcome(not want, "; ".join(w for _, _, w in skipped if w), basis=Basis.STATED)
    if absent is not None:
        basis = relation(_triple(absent), name, codes, kind) or Basis.INFERRED
        return RuleOutcome(not want, f"no {name} (record: no {absent.name})", basis=basis)
    return _unrecorded(name, kind, want, view, scope, key)


def _scan(
    view: PatientView, kind: str, name: str, codes: tuple[str, ...]
) -> tuple[tuple[tuple[Fact, Basis], ...], Fact | None]:
    """The patient's own facts that name the concept (or a narrower one), in record order,
    and the first negated fact that rules it out: the same for every rule naming it."""
    facts = view.patient.conditions if kind == "condition" else view.patient.therapies
    related, absent = [], None
    for fact in facts:
        if _negated(fact):
            if absent is None and is_within(name, fact.concept or fact.name, kind):
                absent = fact
            continue
        if not fact.own:
            continue
        basis = relation(_triple(fact), name, codes, kind)
        if basis is not None:
            related.append((fact, basis))
    return tuple(related), absent


def _own_disease(hits: list, scope: Scope, want: bool, kind: str) -> list[Fact]:
    """Matching facts that are the trial's own disease, when the rule would count them against
    the patient: a trial does not rule out the patients it studies, so such a criterion means
    another or an earlier instance ("prior history of breast cancer" in a breast-cancer trial)."""
    if kind != "condition" or (scope.kind == "exclusion") != want:
        return []
    return [
        fact
        for fact, _, _ in hits
        if any(is_within(fact.concept or fact.name, t, kind) for t in scope.targets)
    ]


def _unrecorded(
    name: str, kind: str, want: bool, view: PatientView, scope: Scope, key: str
) -> RuleOutcome:
    p = view.patient
    states = ("pregnancy", "breastfeeding")  # a present state, not history: never presumed
    state = kind == "condition" and any(is_within(name, s, "condition") for s in states)
    if p.complete_history and scope.presume and not state:
        if p.note and view.remember(
            ("mentioned", name, kind), lambda: mentioned(view.mentions, p.note, name, kind)
        ):
            return RuleOutcome(None, f"{name}: named in the note but not read as a fact", key,
                               basis=Basis.MISSING)  # fmt: skip
        why = f"no {name}: not in the record, confirm with the study team"
        return RuleOutcome(not want, why, basis=Basis.NOT_RECORDED)
    verb = "has" if kind == "condition" else "had"
    return RuleOutcome(None, f"not known whether the patient {verb} {name}", key)


def _present(rule: dict[str, Any], hits: list, want: bool, today: date, key: str) -> RuleOutcome:
    """The patient has (had) the concept; apply the time window and current/past status."""
    hits.sort(key=lambda h: (h[1] != Basis.STATED, not _is_current(h[0])))
    fact, basis, _ = hits[0]
    name = str(rule["name"])
    via = "" if basis == Basis.STATED else f" ({fact.name} is a kind of {name})"
    within, since = rule.get("within_days"), rule.get("since_days")
    if within is None and since is None:
        if not _is_current(fact):
            return RuleOutcome(None, f"{fact.name} in the past{via}: does the criterion mean a "
                               "current one?", key + ":current", basis=basis)  # fmt: skip
        return RuleOutcome(want, f"patient has {fact.name}{via}", basis=basis)
    when = _last_date(fact)
    if when is None:
        return RuleOutcome(None, f"{fact.name}{via}: date unknown", key + ":date", basis=basis)
    days = (today - when).days
    if within is not None:
        state = days <= int(within)
        if not state and _ongoing(fact):
            return RuleOutcome(None, f"{fact.name} since {days} days, ongoing (rule: within "
                               f"{within:g} days)", key + ":date", basis=basis)  # fmt: skip
        window = f"within {within:g} days"
    else:
        state = days >= int(since)
        window = f"at least {since:g} days ago"
    return RuleOutcome(state == want, f"{fact.name}{via} {days} days ago (rule: {window})",
                       basis=basis)  # fmt: skip


def _is_current(fact: Fact) -> bool:
    return fact.current if isinstance(fact, ConditionFact) else fact.own


def _ongoing(fact: Fact) -> bool:
    """Still going on now, so inside any recent window whatever its first date."""
    if isinstance(fact, ConditionFact):
        return fact.current and not vocab.is_event(fact.concept or fact.name, "condition")
    return fact.start is not None and fact.end is None and fact.date is None


def _pregnancy(name: str, view: PatientView) -> tuple[bool | None, Basis, str] | None:
    """Pregnancy and breastfeeding: not applicable to men; the profile's flag when given."""
    pregnancy = is_within(name, "pregnancy", "condition")
    if not pregnancy and not is_within(name, "breastfeeding", "condition"):
        return None
    p = view.patient
    if p.sex == "male":
        return None, Basis.STATED, "applies to women only"
    if pregnancy and p.pregnant is not None:
        return p.pregnant, Basis.STATED, f"pregnant: {'yes' if p.pregnant else 'no'}"
    return None  # fall through to the facts (a note may say "pregnant", FHIR may code it)
