"""A trial's criteria prepared once for judging many patients (screening, ranking).

Everything `evaluate.py` derives from the trial alone: the registry's age and sex limits, the
trial's target conditions, each criterion's rules, logic tree and the `other` rules that qualify
it, and the group an `applies_to` names. Judging a patient then only walks the plan. A plan is
a pure function of the trial and its parsed criteria (contract 1), which it keeps by reference
and never changes; build a new plan when either changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trialscout.match.logic import fold, leaves, tree_of
from trialscout.match.rules import PATIENT_RULES, age_span, evaluate_rule
from trialscout.match.targets import trial_targets
from trialscout.registry.model import Trial


@dataclass(frozen=True, slots=True)
class GroupPlan:
    """An `applies_to`: one rule, or rules combined by a tree."""

    rule: dict[str, Any] | None  # the single rule form ({"type": ...})
    rules: tuple[dict[str, Any], ...] = ()
    tree: Any = None


@dataclass(frozen=True, slots=True)
class CriterionPlan:
    kind: str  # inclusion | exclusion
    text: str
    rules: tuple[dict[str, Any], ...]
    tree: Any
    # `other` rules outside the tree that qualify the criterion; None when the tree is not
    # well formed (evaluation then raises the tree's error, as it always did)
    notes: tuple[str, ...] | None
    group: GroupPlan | None


@dataclass(frozen=True, slots=True)
class TrialPlan:
    registry: tuple[CriterionPlan, ...]  # age / sex limits the parsed text does not state
    targets: tuple[str, ...]  # vocabulary concepts of the trial's conditions
    healthy_volunteers: bool
    has_text: bool  # the record has criteria text
    criteria: tuple[CriterionPlan, ...]


def plan_criterion(crit: dict[str, Any]) -> CriterionPlan:
    """A contract-1 criterion with its rules, tree and qualifying notes worked out."""
    kind = "exclusion" if crit.get("kind") == "exclusion" else "inclusion"
    text = str(crit.get("text") or "").strip()
    rules = tuple(r for r in crit.get("rules") or [] if isinstance(r, dict))
    tree = tree_of(crit)
    try:
        inside = leaves(tree)
    except ValueError:
        notes = None
    else:
        notes = tuple(r.get("text", "") for i, r in enumerate(rules)
                      if r.get("type") == "other" and not r.get("explains") and i not in inside)  # fmt: skip
        tree = _fold(tree, rules)
    return CriterionPlan(kind, text, rules, tree, notes, _group(crit.get("applies_to")))


def _fold(tree: Any, rules: tuple[dict[str, Any], ...]) -> Any:
    """Subtrees of rules no one can compute (`other`, unknown types) evaluated once: their
    outcome is the same for every patient."""
    fixed = {i for i, r in enumerate(rules) if r.get("type") not in PATIENT_RULES}
    if not fixed:
        return tree
    return fold(tree, fixed, lambda i, _negated: evaluate_rule(rules[i], None))


def _group(group: Any) -> GroupPlan | None:
    if not group:
        return None
    if "type" in group:
        return GroupPlan(group)
    rules = tuple(r for r in group.get("rules") or [] if isinstance(r, dict))
    return GroupPlan(None, rules, tree_of(group))


def registry_criteria(trial: Trial, parsed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Age and sex limits from the registry record, unless the parsed text already states them
    (a sex beside a lab threshold, 'Hb >= 13 g/dL for men', states no sex limit)."""
    types = set()
    for c in (parsed or {}).get("criteria", []):
        rules = [r for r in c.get("rules") or [] if isinstance(r, dict)]
        has_lab = any(r.get("type") == "lab" for r in rules)
        types |= {r.get("type") for r in rules if not (has_lab and r.get("type") == "sex")}
    e = trial.eligibility
    out = []
    if "age" not in types and (e.min_age_years is not None or e.max_age_years is not None):
        rule = {"type": "age", "min": e.min_age_years, "max": e.max_age_years}
        text = f"Age {age_span(e.min_age_years, e.max_age_years)} (registry)"
        out.append({"kind": "inclusion", "text": text, "rules": [rule]})
    if "sex" not in types and e.sex and e.sex.upper() in ("MALE", "FEMALE"):
        rule = {"type": "sex", "allowed": [e.sex.lower()]}
        out.append(
            {"kind": "inclusion", "text": f"Sex: {e.sex.lower()} (registry)", "rules": [rule]}
        )
    return out


def plan_trial(trial: Trial, parsed: dict[str, Any]) -> TrialPlan:
    """Everything about the trial that does not depend on the patient, worked out once."""
    items = [c for c in parsed.get("criteria", []) if isinstance(c, dict)]
    return TrialPlan(
        registry=tuple(plan_criterion(c) for c in registry_criteria(trial, parsed)),
        targets=tuple(trial_targets(trial)),
        healthy_volunteers=bool(trial.eligibility.healthy_volunteers),
        has_text=bool((trial.eligibility.criteria or "").strip()),
        criteria=tuple(plan_criterion(c) for c in items),
    )
