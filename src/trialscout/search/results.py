"""Typed search results (what the library, CLI and web app exchange)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class SearchHit:
    trial_id: str
    title: str
    score: float
    overall_status: str | None
    phases: list[str]
    conditions: list[str]
    last_update_posted: str | None
    distance_km: float | None = None
    nearest_site: str | None = None
    snippet: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]]
    query: str
    expanded_query: list[str] = field(default_factory=list)  # what synonyms/patient cues added
    place: str | None = None  # the resolved place name, when searching near one
    mode_used: str = "lexical"  # lexical | semantic | hybrid (hybrid falls back to lexical)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "expanded_query": self.expanded_query,
            "place": self.place,
            "mode_used": self.mode_used,
            "total": self.total,
            "facets": self.facets,
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass(slots=True)
class SimilarTrial:
    trial_id: str
    title: str
    score: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
