"""The trial's target condition as an implicit inclusion criterion (issue 11, ranking).

A trial studies the conditions its record lists (and the registry's MeSH terms for them).
When the vocabulary knows them and the trial is not for healthy volunteers:
  - the patient has one of them, a narrower or a broader concept: met (stated / inferred);
  - the patient has a known condition of an exclusive family (data/targets.json: a cancer)
    that is neither a kind of a target nor broader than it, while a target of the same family
    is not among the patient's: not met (an HCC patient does not have the lung cancer a lung
    cancer trial studies), so such a trial is never "possibly eligible";
  - otherwise unknown (an inclusion always needs positive evidence).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from trialscout import vocab
from trialscout.match.concepts import concept_id, fact_concept
from trialscout.match.results import Basis, CriterionVerdict, Verdict
from trialscout.match.view import PatientView
from trialscout.registry.model import Trial

KIND = "condition"


@cache
def families() -> tuple[str, ...]:
    raw = json.loads(resources.files(__package__).joinpath("data/targets.json").read_text("utf-8"))
    found = raw.get("exclusive_families")
    if not isinstance(found, list) or not all(isinstance(f, str) for f in found):
        raise ValueError("match/data/targets.json: exclusive_families must be a list of names")
    ids = tuple(vocab.canonical(f, KIND) for f in found)
    if None in ids:
        raise ValueError(f"match/data/targets.json: unknown condition in {found}")
    return ids  # type: ignore[return-value]


def _concepts(names: list[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        cid = concept_id(name, KIND)
        if cid is None:  # "Advanced Liver Cancer": the concepts the heading names
            hits = vocab.find(name, (KIND,))
            found += [m.id for m in hits if not m.negated]
        else:
            found.append(cid)
    found = list(dict.fromkeys(found))
    # the most specific concepts: "liver cancer" over the "cancer" of "tumor prognosis"
    return [c for c in found if not any(d != c and vocab.is_a(d, c, KIND) for d in found)]


def trial_targets(trial: Trial) -> list[str]:
    """Vocabulary concepts of the conditions the trial lists; the registry's MeSH terms only
    when the listed ones name none (those terms include broad ancestors such as 'Hepatitis');
    the title's concepts when the record lists no condition at all."""
    found = _concepts(trial.conditions) or _concepts(trial.condition_terms)
    if not found and not trial.conditions and not trial.condition_terms:
        found = _concepts([trial.title])
    return found


@cache
def not_exclusive() -> frozenset[str]:
    raw = json.loads(resources.files(__package__).joinpath("data/targets.json").read_text("utf-8"))
    names = raw.get("not_exclusive", [])
    ids = {vocab.canonical(n, KIND) for n in names}
    if None in ids:
        raise ValueError(f"match/data/targets.json: unknown condition in {names}")
    return frozenset(ids)  # type: ignore[arg-type]


def _closer_kin(a: str, b: str, family: str) -> bool:
    """Do two concepts of a family share an ancestor narrower than the family (two blood
    cancers)? Then the patient's disease may well be what the trial studies: not ruled out."""
    above = vocab.ancestors(family, KIND) | {family}
    shared = (vocab.ancestors(a, KIND) | {a}) & (vocab.ancestors(b, KIND) | {b})
    return any(vocab.is_a(s, family, KIND) for s in shared - above)


def _related(a: str, b: str) -> bool:
    return vocab.is_a(a, b, KIND) or vocab.is_a(b, a, KIND)


def target_criterion(trial: Trial, view: PatientView) -> CriterionVerdict | None:
    """The implicit "has the condition studied" inclusion, or None when it cannot be said."""
    if trial.eligibility.healthy_volunteers:
        return None
    return target_verdict(tuple(trial_targets(trial)), view)


def target_verdict(targets: tuple[str, ...], view: PatientView) -> CriterionVerdict | None:
    """`target_criterion` for a trial (not for healthy volunteers) whose targets are known."""
    if not targets:
        return None
    found = view.remember(("target", targets), lambda: _target_verdict(targets, view))
    return CriterionVerdict(
        found.kind, found.text, found.verdict, found.reason, list(found.missing), found.basis
    )


def _own_concepts(view: PatientView) -> dict[str, str]:
    """The patient's own conditions the vocabulary knows: concept -> name as recorded."""
    return {
        fc: f.name
        for f in view.patient.conditions
        if f.own and (fc := fact_concept(f.name, f.concept, tuple(f.codes), KIND))
    }


def _target_verdict(targets: tuple[str, ...], view: PatientView) -> CriterionVerdict:
    text = f"Has the condition studied: {', '.join(targets)} (registry conditions)"
    mine = view.remember("own condition concepts", lambda: _own_concepts(view))
    for target in targets:
        for cid, name in mine.items():
            if _related(cid, target):
                basis = Basis.STATED if cid == target else Basis.INFERRED
                why = f"patient has {name}" + ("" if cid == target else f" ({target})")
                return CriterionVerdict("inclusion", text, Verdict.MET, why, basis=basis)
    for family in families():
        theirs = [t for t in targets if vocab.is_a(t, family, KIND)]
        other = [n for c, n in mine.items() if vocab.is_a(c, family, KIND)]
        broad = any(t in not_exclusive() for t in theirs)
        close = any(
            _closer_kin(c, t, family) for t in theirs for c in mine if vocab.is_a(c, family, KIND)
        )
        if theirs and other and not broad and not close:
            why = f"patient has {', '.join(other)}, a different {family} from {', '.join(theirs)}"
            return CriterionVerdict("inclusion", text, Verdict.NOT_MET, why, basis=Basis.INFERRED)
    why = f"no {' or '.join(targets)} in the patient's data"
    return CriterionVerdict("inclusion", text, Verdict.UNKNOWN, why, [f"condition:{targets[0]}"])
