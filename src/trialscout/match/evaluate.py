"""Criterion and trial verdicts: the one evaluator over contract 1 (versions 1 and 2).

A criterion's rules are combined by its logic tree (logic.py, three-valued). `applies_to` says
which patients a criterion is for: outside that group it is `not_applicable`, and unknown
membership makes it `unknown`. `other` rules outside the tree qualify the criterion ("except
topical use"): a criterion that would rule the patient out while carrying such a qualifier is
`unknown`, since the qualifier might lift it (a verdict of not eligible needs text that was
fully understood). Each verdict carries its basis (stated, inferred, not_recorded, missing).
"""

from __future__ import annotations

from typing import Any

from trialscout.match.history import Scope
from trialscout.match.logic import NA, Outcome, evaluate, leaves
from trialscout.match.plan import (
    CriterionPlan,
    GroupPlan,
    TrialPlan,
    plan_criterion,
    plan_trial,
)
from trialscout.match.results import (
    Basis,
    CriterionVerdict,
    RuleOutcome,
    TrialVerdict,
    Verdict,
)
from trialscout.match.rules import evaluate_rule
from trialscout.match.targets import target_verdict
from trialscout.match.view import PatientView
from trialscout.registry.model import Trial

_VERDICT = {True: Verdict.MET, False: Verdict.NOT_MET, None: Verdict.UNKNOWN}


def _basis(out: Outcome) -> Basis:
    if out.value is None:
        return Basis.MISSING
    found = {o.basis for o in out.deciding}
    for basis in (Basis.NOT_RECORDED, Basis.INFERRED):
        if basis in found:
            return basis
    return Basis.STATED


def _applies(group: GroupPlan | None, view: PatientView) -> RuleOutcome | None:
    """None when the criterion is for everyone; else whether the patient is in its group."""
    if group is None:
        return None
    if group.rule is not None:
        return evaluate_rule(group.rule, view)
    rules = group.rules
    out = evaluate(group.tree, lambda i, _neg: evaluate_rule(rules[i], view))
    value = None if out.value == NA else out.value
    reason = "; ".join(dict.fromkeys(o.reason for o in out.deciding))
    return RuleOutcome(value, reason, basis=_basis(out))


def evaluate_criterion(
    crit: dict[str, Any], view: PatientView, own: tuple[str, ...] = ()
) -> CriterionVerdict:
    """One criterion's verdict; `own` are the trial's conditions (for `other_than_target`)."""
    return evaluate_planned(plan_criterion(crit), view, own)


def evaluate_planned(
    plan: CriterionPlan, view: PatientView, own: tuple[str, ...] = ()
) -> CriterionVerdict:
    """`evaluate_criterion` on a criterion prepared once (plan.py)."""
    kind, text, rules = plan.kind, plan.text, plan.rules
    group = _applies(plan.group, view)
    if group is not None and group.holds is False:
        why = f"applies to another group of patients ({group.reason})"
        return CriterionVerdict(kind, text, Verdict.NOT_APPLICABLE, why, basis=group.basis)
    if not rules:
        return CriterionVerdict(kind, text, Verdict.UNKNOWN, "not machine-readable: check by hand")
    tree = plan.tree

    def leaf(i: int, negated: bool) -> RuleOutcome:
        rule = rules[i]
        want = rule.get("present", True) is not False
        presume = kind == "exclusion" and want != negated  # absence would clear the patient
        return evaluate_rule(rule, view, Scope(kind, own, presume))

    out = evaluate(tree, leaf)
    if out.value == NA:
        reason = out.deciding[0].reason if out.deciding else "does not apply"
        return CriterionVerdict(kind, text, Verdict.NOT_APPLICABLE, reason, basis=Basis.STATED)
    verdict = _VERDICT[out.value]
    reason = "; ".join(dict.fromkeys(o.reason for o in out.deciding)) or "no rule applies"
    missing = [o.missing for o in out.deciding if o.missing] if out.value is None else []
    basis = _basis(out)
    notes = plan.notes if plan.notes is not None else _notes(rules, tree)
    fails = (verdict == Verdict.MET) if kind == "exclusion" else (verdict == Verdict.NOT_MET)
    if fails and notes:
        verdict, basis = Verdict.UNKNOWN, Basis.MISSING
        reason = f"{reason}, but the criterion qualifies this: {'; '.join(notes)}"
    if group is not None and group.holds is None:
        verdict, basis = Verdict.UNKNOWN, Basis.MISSING
        reason = f"not known whether this criterion applies ({group.reason}); {reason}"
        missing = [*missing, *([group.missing] if group.missing else [])]
    return CriterionVerdict(kind, text, verdict, reason, missing, basis)


def _notes(rules: tuple[dict[str, Any], ...], tree: Any) -> list[str]:
    """The `other` rules outside the tree (raises the tree's error when it is malformed)."""
    inside = leaves(tree)
    return [r.get("text", "") for i, r in enumerate(rules)
            if r.get("type") == "other" and not r.get("explains") and i not in inside]  # fmt: skip


def evaluate_criteria(
    trial: Trial, parsed: dict[str, Any], view: PatientView
) -> list[CriterionVerdict]:
    """Registry limits and the trial's target condition first, then every parsed criterion."""
    return evaluate_planned_trial(plan_trial(trial, parsed), view)


def evaluate_planned_trial(plan: TrialPlan, view: PatientView) -> list[CriterionVerdict]:
    """`evaluate_criteria` on a trial prepared once by `plan_trial`."""
    verdicts = [evaluate_planned(c, view) for c in plan.registry]
    target = None if plan.healthy_volunteers else target_verdict(plan.targets, view)
    if target is not None:
        verdicts.append(target)
    if not plan.has_text:
        reason = "the registry record has no criteria text: ask the study team"
        verdicts.append(
            CriterionVerdict("inclusion", "Eligibility criteria", Verdict.UNKNOWN, reason)
        )
    own = plan.targets
    verdicts += [evaluate_planned(c, view, own) for c in plan.criteria]
    return verdicts


def trial_verdict(criteria: list[CriterionVerdict]) -> TrialVerdict:
    if any(c.failed for c in criteria):
        return TrialVerdict.NOT_ELIGIBLE
    if any(c.verdict == Verdict.UNKNOWN for c in criteria):
        return TrialVerdict.POSSIBLY_ELIGIBLE
    return TrialVerdict.ELIGIBLE
