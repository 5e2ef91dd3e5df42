"""Related trials as a patient wants them: the same condition first (then a broader or narrower
one, then similar wording), each with its status and the reason in words. The similarity
search (search stage) proposes candidates; this only reorders and explains them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trialscout import vocab
from trialscout.registry.model import Trial
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

OPEN = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
CANDIDATES = 20  # asked of the similarity search, to find same-condition trials among them


@dataclass(slots=True)
class Related:
    trial_id: str
    title: str
    status: str | None
    reason: str
    rank: int  # 0 same condition, 1 related condition, 2 similar wording


def conditions_of(trial: Trial) -> set[str]:
    """Condition concepts of a trial: its listed conditions, else those its title names."""
    found = {vocab.canonical(c, "condition") for c in trial.conditions}
    found.discard(None)
    if not found:
        found = {m.id for m in vocab.find(trial.title or "", ["condition"]) if not m.negated}
    return {c for c in found if c}


def _relation(mine: set[str], theirs: set[str]) -> tuple[int, str | None]:
    shared = sorted(mine & theirs)
    if shared:
        return 0, f"same condition: {shared[0]}"
    for a in sorted(mine):
        for b in sorted(theirs):
            if vocab.is_a(a, b, "condition") or vocab.is_a(b, a, "condition"):
                return 1, f"related condition: {b} (this trial: {a})"
    return 2, None


def arrange(db: Database, trial: Trial, similar: list[dict[str, Any]], limit: int) -> list[Related]:
    """Same condition first, open trials first within that, in the similarity order
    otherwise; every item with a status."""
    store = TrialStore(db)
    others = store.get_many([s["trial_id"] for s in similar])
    mine = conditions_of(trial)
    out = []
    for s in similar:
        other = others.get(s["trial_id"])
        if other is None:
            continue
        rank, reason = _relation(mine, conditions_of(other))
        wording = s.get("reason") or "similar wording"
        out.append(
            Related(other.trial_id, other.title, other.overall_status, reason or wording, rank)
        )
    out.sort(key=lambda r: (r.rank, (r.status or "") not in OPEN))  # stable otherwise
    return out[:limit]
