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
from trialscout.match.logic import NA, Outcome, evaluate, leaves, tree_of
from trialscout.match.results import (
    Basis,
    CriterionVerdict,
    RuleOutcome,
    TrialVerdict,
    Verdict,
)
from trialscout.match.rules import age_span, evaluate_rule
from trialscout.match.targets import target_criterion, trial_targets
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


def _applies(crit: dict[str, Any], view: PatientView) -> RuleOutcome | None:
    """None when the criterion is for everyone; else whether the patient is in its group."""
    group = crit.get("applies_to")
    if not group:
        return None
    if "type" in group:
        return evaluate_rule(group, view)
    rules = [r for r in group.get("rules") or [] if isinstance(r, dict)]
    out = evaluate(tree_of(group), lambda i, _neg: evaluate_rule(rules[i], view))
    value = None if out.value == NA else out.value
    reason = "; ".join(dict.fromkeys(o.reason for o in out.deciding))
    return RuleOutcome(value, reason, basis=_basis(out))


def evaluate_criterion(
    crit: dict[str, Any], view: PatientView, own: tuple[str, ...] = ()
) -> CriterionVerdict:
    """One criterion's verdict; `own` are the trial's conditions (for `other_than_target`)."""
    kind = "exclusion" if crit.get("kind") == "exclusion" else "inclusion"
    text = str(crit.get("text") or "").strip()
    rules = [r for r in crit.get("rules") or [] if isinstance(r, dict)]
    group = _applies(crit, view)
    if group is not None and group.holds is False:
        why = f"applies to another group of patients ({group.reason})"
        return CriterionVerdict(kind, text, Verdict.NOT_APPLICABLE, why, basis=group.basis)
    if not rules:
        return CriterionVerdict(kind, text, Verdict.UNKNOWN, "not machine-readable: check by hand")
    tree = tree_of(crit)

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
    notes = [r.get("text", "") for i, r in enumerate(rules)
             if r.get("type") == "other" and not r.get("explains") and i not in leaves(tree)]  # fmt: skip
    fails = (verdict == Verdict.MET) if kind == "exclusion" else (verdict == Verdict.NOT_MET)
    if fails and notes:
        verdict, basis = Verdict.UNKNOWN, Basis.MISSING
        reason = f"{reason}, but the criterion qualifies this: {'; '.join(notes)}"
    if group is not None and group.holds is None:
        verdict, basis = Verdict.UNKNOWN, Basis.MISSING
        reason = f"not known whether this criterion applies ({group.reason}); {reason}"
        missing = [*missing, *([group.missing] if group.missing else [])]
    return CriterionVerdict(kind, text, verdict, reason, missing, basis)


def registry_criteria(trial: Trial, parsed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Age and sex limits from the registry record, unless the parsed text already states them."""
    types = {
        r.get("type")
        for c in (parsed or {}).get("criteria", [])
        for r in c.get("rules") or []
        if isinstance(r, dict)
    }
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


def evaluate_criteria(
    trial: Trial, parsed: dict[str, Any], view: PatientView
) -> list[CriterionVerdict]:
    """Registry limits and the trial's target condition first, then every parsed criterion."""
    verdicts = [evaluate_criterion(c, view) for c in registry_criteria(trial, parsed)]
    target = target_criterion(trial, view)
    if target is not None:
        verdicts.append(target)
    own = tuple(trial_targets(trial))
    if not (trial.eligibility.criteria or "").strip():
        reason = "the registry record has no criteria text: ask the study team"
        verdicts.append(
            CriterionVerdict("inclusion", "Eligibility criteria", Verdict.UNKNOWN, reason)
        )
    items = [c for c in parsed.get("criteria", []) if isinstance(c, dict)]
    verdicts += [evaluate_criterion(c, view, own) for c in items]
    return verdicts


def trial_verdict(criteria: list[CriterionVerdict]) -> TrialVerdict:
    if any(c.failed for c in criteria):
        return TrialVerdict.NOT_ELIGIBLE
    if any(c.verdict == Verdict.UNKNOWN for c in criteria):
        return TrialVerdict.POSSIBLY_ELIGIBLE
    return TrialVerdict.ELIGIBLE
