"""Turn verdicts plus search relevance into one ranking score (variants behind a selector).

The eligibility part rewards satisfied criteria, gives half credit to unknown ones and multiplies
by a penalty per failed criterion, so a trial the patient clearly fails sinks below trials that
are merely uncertain, while relevance keeps on-topic trials above off-topic ones.
"""

from __future__ import annotations

from collections.abc import Callable

from trialscout.match.results import CriterionVerdict, Verdict

FAIL_PENALTY = 0.35  # each failed criterion keeps this share of the eligibility score
UNKNOWN_CREDIT = 0.5
RELEVANCE_WEIGHT = 0.5


def eligibility_score(criteria: list[CriterionVerdict]) -> float:
    """In [0, 1]: 1 = everything satisfied, about 0.5 = all unknown, near 0 = several failures."""
    ok = unknown = failed = 0
    for c in criteria:
        if c.failed:
            failed += 1
        elif c.verdict == Verdict.UNKNOWN:
            unknown += 1
        else:
            ok += 1
    total = ok + unknown + failed
    if total == 0:
        return UNKNOWN_CREDIT
    base = (ok + UNKNOWN_CREDIT * unknown) / (ok + unknown) if ok + unknown else 0.0
    return base * FAIL_PENALTY**failed


def _linear(relevance: float, eligibility: float) -> float:
    return RELEVANCE_WEIGHT * relevance + (1 - RELEVANCE_WEIGHT) * eligibility


def _relevance_only(relevance: float, eligibility: float) -> float:
    return relevance


def _product(relevance: float, eligibility: float) -> float:
    return relevance * (0.25 + 0.75 * eligibility)


SCORERS: dict[str, Callable[[float, float], float]] = {
    "linear": _linear,
    "product": _product,
    "relevance": _relevance_only,
}
DEFAULT_SCORER = "linear"


def scorer(name: str) -> Callable[[float, float], float]:
    if name not in SCORERS:
        raise ValueError(f"unknown scorer {name!r}; valid: {', '.join(sorted(SCORERS))}")
    return SCORERS[name]


def normalize_relevance(scores: list[float]) -> list[float]:
    """Search scores -> [0, 1] by the best score (ties and all-zero give 1.0)."""
    top = max(scores, default=0.0)
    if top <= 0:
        return [1.0 for _ in scores]
    return [max(0.0, s) / top for s in scores]
