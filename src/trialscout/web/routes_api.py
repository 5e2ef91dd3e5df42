"""REST API under /api/v1: search, trial, criteria, similar, summary, match. JSON in and out;
errors are `{"error": {"status": N, "message": "..."}}` (see app._install_errors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request

from trialscout.store.trials import TrialStore
from trialscout.web import lookup, records, services
from trialscout.web.deps import db
from trialscout.web.search_params import SearchParams, search_params

router = APIRouter(prefix="/api/v1", tags=["api"])
TrialId = Annotated[
    str, Path(description="The trial's ID in any case: an NCT number or another registry's ID.")
]
PROFILE_EXAMPLE = {"age": 52, "sex": "male", "conditions": ["hepatocellular carcinoma"]}


@router.get("/search", summary="Search trials")
async def api_search(request: Request, params: SearchParams = search_params) -> dict[str, Any]:
    """Full-text search with filters and facet counts. Filters mirror the search page's form;
    `near` is a place name (or give `lat`/`lon`), `radius_km` limits distance. A query that is
    a trial's ID (its own or one the registrant gave, e.g. IIT-2024-077) returns that trial as
    `trial` and the only hit; a query finding nothing may return `did_you_mean` spellings."""
    database = db(request)
    tid = lookup.find_trial_id(database, params.q) if params.q else None
    if tid:
        return _id_result(database, params, tid)
    result = services.search(
        db(request),
        params.q,
        params.filters(),
        limit=params.limit,
        offset=params.offset,
        sort=params.sort,
    )
    return {
        "query": params.q,
        "total": result.total,
        "limit": params.limit,
        "offset": params.offset,
        "hits": result.hits,
        "facets": result.facets,
        **({"did_you_mean": _suggest(database, params)} if not result.total else {}),
    }


def _suggest(database, params: SearchParams) -> list[str]:
    return lookup.did_you_mean(database, params.q) if params.q else []


def _id_result(database, params: SearchParams, tid: str) -> dict[str, Any]:
    """The search answer for a query naming one trial by ID: that trial, as a search hit."""
    trial = TrialStore(database).get(tid).trial
    hit = {
        "trial_id": trial.trial_id,
        "title": trial.title,
        "score": 1.0,
        "overall_status": trial.overall_status,
        "phases": trial.phases,
        "conditions": trial.conditions,
        "last_update_posted": trial.last_update_posted,
        "distance_km": None,
        "nearest_site": None,
        "snippet": None,
    }
    return {
        "query": params.q,
        "trial": {"trial_id": tid, "url": f"/api/v1/trials/{tid}", "page": f"/trials/{tid}"},
        "total": 1,
        "limit": params.limit,
        "offset": 0,
        "hits": [hit],
        "facets": {},
    }


@router.get("/trials/{trial_id}", summary="One trial record")
async def api_trial(request: Request, trial_id: TrialId) -> dict[str, Any]:
    """The stored record (registry data as normalized), its version, and how many visitors asked
    to be contacted. Any registry ID works (NCT numbers, ChiCTR, sponsor IDs)."""
    database = db(request)
    record = TrialStore(database).get(trial_id)
    return {
        "trial": record.trial.to_dict(),
        "version": record.version,
        "first_seen": record.first_seen,
        "last_changed": record.last_changed,
        "patients_applied": records.count_contact_requests(database, record.trial.trial_id),
    }


@router.get("/trials/{trial_id}/criteria", summary="Parsed eligibility criteria (contract 1)")
async def api_criteria(request: Request, trial_id: TrialId) -> dict[str, Any]:
    """Inclusion and exclusion criteria parsed into computable rules."""
    database = db(request)
    trial = TrialStore(database).get(trial_id).trial
    parsed = services.load_criteria(database, trial)
    if parsed is None:
        raise HTTPException(404, f"{trial.trial_id} has no eligibility criteria text")
    return parsed


@router.get("/trials/{trial_id}/similar", summary="Related trials with the reason")
async def api_similar(
    request: Request,
    trial_id: TrialId,
    limit: Annotated[int, Query(ge=1, le=50, description="Related trials to return.")] = 5,
) -> dict[str, Any]:
    """Trials most similar to this one, each with why it is related."""
    database = db(request)
    tid = TrialStore(database).resolve_id(trial_id)
    return {"trial_id": tid, "similar": services.similar(database, tid, limit)}


@router.get("/trials/{trial_id}/summary", summary="Plain-language summary")
async def api_summary(request: Request, trial_id: TrialId) -> dict[str, Any]:
    """What the trial tests, what it could lead to, what could go wrong; not medical advice."""
    database = db(request)
    trial = TrialStore(database).get(trial_id).trial
    try:
        parsed = services.load_criteria(database, trial)
    except services.StageUnavailable:
        parsed = None
    return services.summarize(trial, parsed)


@router.post("/match", summary="Match a patient profile to trials (contract 2 in, 3 out)")
async def api_match(
    request: Request,
    profile: Annotated[dict[str, Any], Body(examples=[PROFILE_EXAMPLE])],
    trial_id: Annotated[list[str] | None, Query(description="Only these trials.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Trials to return.")] = 20,
    near: Annotated[str | None, Query(max_length=200, description="Rank near a place.")] = None,
    radius_km: Annotated[float | None, Query(gt=0, description="Distance limit.")] = None,
    status: Annotated[list[str] | None, Query(description="Only these statuses.")] = None,
) -> dict[str, Any]:
    """Verdict per trial and per criterion with reasons, best first. Give `trial_id` to judge
    given trials, else trials are searched (optionally `near` a place). The profile is not
    stored or logged."""
    database = db(request)
    ids = [TrialStore(database).resolve_id(t) for t in trial_id] if trial_id else None
    if near:
        services.resolve_place(database, near)  # an unknown place is a 400, not ignored
    where = {"near": near, "radius_km": radius_km, "status": status or None}
    try:
        return services.match(database, profile, ids, limit, where)
    except (ValueError, TypeError, KeyError) as exc:
        raise HTTPException(422, f"invalid patient profile: {exc}") from None


@router.get("/status", summary="Which pipeline stages are available")
async def api_status(request: Request) -> dict[str, Any]:
    """Trial count and the stages this server can use (search, criteria, summary, match, alerts)."""
    return {"trials": TrialStore(db(request)).count(), "stages": services.stage_status()}


@router.get("", summary="Index of the API")
async def api_index(request: Request) -> dict[str, Any]:
    """Every endpoint of this API with its method and summary, and where the full
    description is (`/openapi.json`, readable at `/docs`)."""
    spec = request.app.openapi()
    endpoints = [
        {"method": method.upper(), "path": path, "summary": op.get("summary", "")}
        for path, methods in spec.get("paths", {}).items()
        if path.startswith(router.prefix)
        for method, op in methods.items()
    ]
    return {
        "name": spec.get("info", {}).get("title", ""),
        "version": spec.get("info", {}).get("version", ""),
        "docs": "/docs",
        "openapi": "/openapi.json",
        "endpoints": endpoints,
    }
