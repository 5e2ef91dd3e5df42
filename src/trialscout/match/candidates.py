"""The one place match/ touches search (issue 3): patient -> candidate trials with relevance.

Without the search package, candidates fall back to the registry summary columns (status, age,
sex) in update order, so matching still works, just without relevance.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from trialscout.patient.model import Patient
from trialscout.store.db import Database


@dataclass(slots=True)
class Candidate:
    trial_id: str
    relevance: float  # raw search score (higher is better)
    distance_km: float | None = None


@dataclass(slots=True)
class Where:
    """Where and what to look: the CLI's --near/--radius/--status options."""

    near: str | None = None
    radius_km: float | None = None
    status: list[str] | None = None
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


def find_candidates(db: Database, patient: Patient, where: Where, limit: int) -> list[Candidate]:
    """Union of the per-query hits; relevance = sum of each query's score over its best score."""
    queries = patient_queries(patient)
    if importlib.util.find_spec("trialscout.search") is None or not queries:
        return _fallback(db, patient, where, limit)
    from trialscout.search import SearchFilters, search

    filters = SearchFilters(
        status=list(where.status or []),
        age=patient.age,
        sex=patient.sex,
        near=where.near,
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


def _fallback(db: Database, patient: Patient, where: Where, limit: int) -> list[Candidate]:
    sql, params = "SELECT trial_id FROM trials WHERE 1=1", []
    if where.status:
        sql += f" AND overall_status IN ({','.join('?' * len(where.status))})"
        params += [s.upper() for s in where.status]
    if patient.age is not None:
        sql += " AND (min_age_years IS NULL OR min_age_years <= ?) AND (max_age_years IS NULL OR max_age_years >= ?)"
        params += [patient.age, patient.age]
    sql += " ORDER BY last_update_posted DESC LIMIT ?"
    rows = db.conn.execute(sql, [*params, limit]).fetchall()
    return [Candidate(r[0], 0.0) for r in rows]
