"""The one place match/ touches search (issue 3): patient -> candidate trials with relevance.

By default only trials open to enrolment are candidates (`OPEN_STATUSES`); `Where(status=None)`
widens to any status. Without a place of its own, the search measures distances from the
patient's location when the file gives one the gazetteer knows (`patient.location`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trialscout.patient.model import Patient
from trialscout.search import SearchFilters, search
from trialscout.search.errors import PlaceNotFound
from trialscout.search.geo import resolve_place
from trialscout.store.db import Database

OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")


@dataclass(slots=True)
class Candidate:
    trial_id: str
    relevance: float  # raw search score (higher is better)
    distance_km: float | None = None


@dataclass(slots=True)
class Where:
    """Where and what to look: the CLI's --near/--radius/--status options.

    `status` defaults to the statuses open to enrolment; None (`--status any`) means any."""

    near: str | None = None
    radius_km: float | None = None
    status: list[str] | None = field(default_factory=lambda: list(OPEN_STATUSES))
    lat: float | None = None
    lon: float | None = None


GENERIC = {"cancer", "smoking", "obesity", "pregnancy"}
MAX_TERMS = 6


def patient_queries(patient: Patient) -> list[str]:
    """One query per condition the patient has (a trial matching more of them ranks higher);
    a note searches its own text, which search reads as a patient description."""
    if patient.note:
        return [patient.note[:4000]]
    terms = [t for t in dict.fromkeys(patient.search_terms()) if t not in GENERIC]
    return terms[:MAX_TERMS] or list(dict.fromkeys(patient.search_terms()))[:1]


def patient_place(db: Database, patient: Patient) -> str | None:
    """'City, Country' from the patient's location, when the gazetteer knows it."""
    loc = patient.location or {}
    parts = [str(loc[k]) for k in ("city", "state", "country") if loc.get(k)]
    for i in range(len(parts)):  # "Ningbo, China", then "China"
        name = ", ".join(parts[i:])
        try:
            resolve_place(db, name)
        except PlaceNotFound:
            continue
        return name
    return None


def find_candidates(db: Database, patient: Patient, where: Where, limit: int) -> list[Candidate]:
    """Union of the per-query hits; relevance = sum of each query's score over its best score."""
    queries = patient_queries(patient)
    if not queries:
        return []
    near = where.near
    if near is None and where.lat is None and where.lon is None:
        near = patient_place(db, patient)
    filters = SearchFilters(
        status=list(where.status or []),
        age=patient.age,
        sex=patient.sex,
        near=near,
        radius_km=where.radius_km,
        lat=where.lat,
        lon=where.lon,
    )
    merged: dict[str, Candidate] = {}
    for query in queries:
        hits = search(db, query, filters, limit=limit).hits
        top = max((h.score for h in hits), default=0.0) or 1.0
        for h in hits:
            c = merged.setdefault(h.trial_id, Candidate(h.trial_id, 0.0, h.distance_km))
            c.relevance += max(0.0, float(h.score)) / top
    ranked = sorted(merged.values(), key=lambda c: -c.relevance)
    return ranked[:limit]
