"""Typed match results; `to_dict` gives contract 3 of DESIGN.md exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class Basis(StrEnum):
    """What a verdict rests on (contract 3)."""

    STATED = "stated"  # a fact in the patient data
    INFERRED = "inferred"  # through the vocabulary's hierarchy or a unit conversion
    NOT_RECORDED = "not_recorded"  # a complete record does not mention it: presumed absent
    MISSING = "missing"  # the data that would decide it is not there


class TrialVerdict(StrEnum):
    ELIGIBLE = "eligible"
    POSSIBLY_ELIGIBLE = "possibly_eligible"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(slots=True)
class RuleOutcome:
    """One rule against the patient: does the rule's statement hold for them?"""

    holds: bool | None  # None = cannot tell
    reason: str
    missing: str | None = None  # question key that would settle it ("lab:platelets")
    applicable: bool = True
    basis: Basis = Basis.STATED


@dataclass(slots=True)
class CriterionVerdict:
    kind: str  # inclusion | exclusion
    text: str
    verdict: Verdict
    reason: str
    missing: list[str] = field(default_factory=list)
    basis: Basis = Basis.MISSING

    @property
    def failed(self) -> bool:
        """Inclusion not met, or exclusion met: this criterion rules the patient out."""
        if self.kind == "exclusion":
            return self.verdict == Verdict.MET
        return self.verdict == Verdict.NOT_MET

    @property
    def satisfied(self) -> bool:
        if self.kind == "exclusion":
            return self.verdict in (Verdict.NOT_MET, Verdict.NOT_APPLICABLE)
        return self.verdict in (Verdict.MET, Verdict.NOT_APPLICABLE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "verdict": str(self.verdict),
            "reason": self.reason,
            "basis": str(self.basis),
        }


@dataclass(slots=True)
class TrialMatch:
    trial_id: str
    nct_id: str
    title: str
    verdict: TrialVerdict
    score: float
    criteria: list[CriterionVerdict]
    distance_km: float | None = None
    relevance: float = 0.0  # normalized search relevance in [0, 1]
    eligibility: float = 0.0  # eligibility part of the score in [0, 1]
    on_target: bool | None = None  # does the patient have the trial's target condition?

    @property
    def failing(self) -> list[CriterionVerdict]:
        return [c for c in self.criteria if c.failed]

    @property
    def counts(self) -> dict[str, int]:
        out = {"satisfied": 0, "failed": 0, "unknown": 0}
        for c in self.criteria:
            if c.failed:
                out["failed"] += 1
            elif c.verdict == Verdict.UNKNOWN:
                out["unknown"] += 1
            else:
                out["satisfied"] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "nct_id": self.nct_id,
            "title": self.title,
            "verdict": str(self.verdict),
            "score": round(self.score, 4),
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "criteria": [c.to_dict() for c in self.criteria],
        }


@dataclass(slots=True)
class Question:
    """A question whose answer would settle unknown verdicts in `trials` of the top results."""

    key: str
    text: str
    trials: int
    criteria: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "text": self.text,
            "trials": self.trials,
            "criteria": self.criteria,
        }


@dataclass(slots=True)
class MatchReport:
    results: list[TrialMatch]
    questions: list[Question] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Contract 3: {"results": [...]} and nothing else."""
        return {"results": [r.to_dict() for r in self.results]}
