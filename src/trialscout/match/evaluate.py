"""Criterion and trial verdicts from rule outcomes (three-valued logic: met / not met / unknown)."""

from __future__ import annotations

import re
from typing import Any

from trialscout.match.concepts import canonical, satisfies
from trialscout.match.results import CriterionVerdict, RuleOutcome, TrialVerdict, Verdict
from trialscout.match.rules import PREGNANCY, PatientView, age_span, evaluate_rule
from trialscout.registry.model import Trial

_NEGATED = re.compile(r"\b(?:no|not|non|never|without|refrain|avoid|negative)\b", re.I)
_OTHER = re.compile(r"\b(?:other|another|additional|in addition to|besides)\b", re.I)
_CHILDBEARING = re.compile(
    r"\b(?:women|woman|females?|girls?)\b[^.]{0,40}\b(?:child-?bearing|reproductive|fertile)", re.I
)


def combine(outcomes: list[RuleOutcome], logic: str) -> bool | None:
    """Kleene logic: `all` fails on any False, `any` holds on any True; else unknown wins."""
    values = [o.holds for o in outcomes if o.applicable]
    if logic == "any":
        if True in values:
            return True
        return None if None in values else False
    if False in values:
        return False
    return None if None in values or not values else True


def _guard(
    rule: dict[str, Any],
    out: RuleOutcome,
    kind: str,
    own: tuple[str, ...],
    crit: str,
    view: PatientView,
) -> RuleOutcome:
    """Keep a condition rule from excluding a patient for the very disease the trial studies.

    "Prior history of breast cancer" in a breast-cancer trial, or "another form of liver disease
    in addition to viral hepatitis" in a hepatitis trial, mean *another* instance, which a
    patient's diagnosis list cannot tell apart: unknown, not a failure.
    """
    if rule.get("type") != "condition" or out.holds is None:
        return out
    present = rule.get("present", True) is not False
    name = str(rule.get("name", ""))
    if canonical(name) in PREGNANCY and (
        (kind == "exclusion" and not present)  # "... must have a negative pregnancy test"
        or (kind == "inclusion" and present and _NEGATED.search(crit))  # "refrain from nursing"
    ):
        return RuleOutcome(out.holds, out.reason, applicable=False)
    excludes = out.holds if kind == "exclusion" else not out.holds
    if not excludes or present != (kind == "exclusion"):
        return out
    if any(satisfies(c, name) for c in own):
        why = f"{out.reason}, the trial's own condition: does this criterion mean another {name}?"
        return RuleOutcome(None, why)
    if _OTHER.search(crit) and not _named_exactly(view, name):
        return RuleOutcome(
            None, f"{out.reason} (a narrower diagnosis): the criterion excludes *other* ones"
        )
    return out


def _named_exactly(view: PatientView, name: str) -> bool:
    """The patient's own facts (not a narrower concept of them) name this condition."""
    target = canonical(name)
    return any(f.own and canonical(f.name) == target for f in view.patient.conditions)


def evaluate_criterion(
    crit: dict[str, Any], view: PatientView, own: tuple[str, ...] = ()
) -> CriterionVerdict:
    """One criterion's verdict; `own` are the trial's conditions (see `_guard`)."""
    kind = "exclusion" if crit.get("kind") == "exclusion" else "inclusion"
    text = str(crit.get("text") or "").strip()
    rules = crit.get("rules") or []
    if view.patient.sex == "male" and _CHILDBEARING.search(text):
        return CriterionVerdict(
            kind, text, Verdict.NOT_APPLICABLE, "applies to women of childbearing potential only"
        )
    if not rules:
        return CriterionVerdict(kind, text, Verdict.UNKNOWN, "not machine-readable: check by hand")
    rules = [r for r in rules if isinstance(r, dict)]
    outcomes = [_guard(r, evaluate_rule(r, view), kind, own, text, view) for r in rules]
    if outcomes and not any(o.applicable for o in outcomes):
        return CriterionVerdict(kind, text, Verdict.NOT_APPLICABLE, outcomes[0].reason)
    logic = "any" if crit.get("logic") == "any" else "all"
    holds = combine(outcomes, logic)
    verdict = {True: Verdict.MET, False: Verdict.NOT_MET, None: Verdict.UNKNOWN}[holds]
    deciding = [o for o in outcomes if o.applicable and o.holds is holds]
    reason = "; ".join(dict.fromkeys(o.reason for o in deciding)) or "no rule applies"
    missing = [o.missing for o in deciding if o.missing] if holds is None else []
    return CriterionVerdict(kind, text, verdict, reason, missing)


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
    trial: Trial, parsed: dict[str, Any] | None, view: PatientView
) -> list[CriterionVerdict]:
    """Registry limits first, then every parsed criterion; unparsed text stays an honest unknown."""
    verdicts = [evaluate_criterion(c, view) for c in registry_criteria(trial, parsed)]
    own = tuple(trial.conditions)
    if not trial.eligibility.criteria:
        reason = "the registry record has no criteria text: ask the study team"
        verdicts.append(
            CriterionVerdict("inclusion", "Eligibility criteria", Verdict.UNKNOWN, reason)
        )
    elif parsed is None:
        reason = "criteria parser not installed: check the criteria text by hand"
        text = "Eligibility criteria (full text)"
        verdicts.append(CriterionVerdict("inclusion", text, Verdict.UNKNOWN, reason))
    if parsed is not None:
        items = [c for c in parsed.get("criteria", []) if isinstance(c, dict)]
        verdicts += [evaluate_criterion(c, view, own) for c in items]
    return verdicts


def trial_verdict(criteria: list[CriterionVerdict]) -> TrialVerdict:
    if any(c.failed for c in criteria):
        return TrialVerdict.NOT_ELIGIBLE
    if any(c.verdict == Verdict.UNKNOWN for c in criteria):
        return TrialVerdict.POSSIBLY_ELIGIBLE
    return TrialVerdict.ELIGIBLE
