"""HTML pages: search (home), trial, trials by location, FAQ, API docs."""

from __future__ import annotations

import itertools
import math
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from trialscout.store.trials import TrialNotFound, TrialStore
from trialscout.web import lookup, records_saved, services, shared_cache, site_map
from trialscout.web.deps import db, render, visitor
from trialscout.web.search_params import SearchParams, facet_links, search_params
from trialscout.web.trial_page import related, render_trial, site_locator

router = APIRouter(include_in_schema=False)


def _run_search(request: Request, params: SearchParams) -> dict[str, Any]:
    """The search page's data, or the reason search is unavailable plus a plain trial list."""
    try:
        result = services.search(
            db(request),
            params.q,
            params.filters(),
            limit=params.limit,
            offset=params.offset,
            sort=params.sort,
        )
    except services.StageUnavailable as exc:
        trials = itertools.islice(TrialStore(db(request)).iter_trials(), params.limit)
        return {"stage_missing": str(exc), "browse": list(trials), "hits": [], "total": 0}
    except services.BadInput as exc:
        return {"place_error": str(exc), "hits": [], "total": 0}
    pages = max(1, math.ceil(result.total / params.limit))
    drawn = _results_map(request, params, result.hits)
    return {
        "results_map": drawn,
        "map_numbers": {
            result.hits[d.number - 1]["trial_id"]: d.number for d in drawn.dots if d.number
        },
        "saved_ids": set(records_saved.saved_ids(db(request), visitor(request))),
        "hits": result.hits,
        "total": result.total,
        "facets": result.facets,
        "facet_links": facet_links(params, result.facets),
        "place": result.place,
        "page": params.offset // params.limit + 1,
        "pages": pages,
    }


def _results_map(request: Request, params: SearchParams, hits: list[dict]) -> site_map.ResultsMap:
    """The map of this page's results only (bounded work): each result at its nearest site
    (its first located site without a place), numbered as listed; the visitor's place."""
    origin = None
    if params.lat is not None and params.lon is not None:
        origin = (params.lat, params.lon)
    elif params.near:
        try:
            lat, lon, _ = services.resolve_place(db(request), params.near)
            origin = (lat, lon)
        except (services.BadInput, services.StageUnavailable):
            origin = None
    ids = tuple(hit["trial_id"] for hit in hits)
    return shared_cache.RESULT_MAPS.get_or_compute(
        db(request).conn, ("map", ids, origin), lambda: _draw(request, ids, origin)
    )


def _draw(request: Request, ids: tuple[str, ...], origin) -> site_map.ResultsMap:
    store = TrialStore(db(request))
    numbered = []
    for number, tid in enumerate(ids, start=1):
        try:
            numbered.append((number, store.get(tid).trial))
        except TrialNotFound:  # removed between the search and now
            continue
    return site_map.results_map(numbered, site_locator(request), origin)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, params: SearchParams = search_params):
    tid = lookup.find_trial_id(db(request), params.q) if params.q else None
    if tid:  # a trial's ID goes straight to the trial
        return RedirectResponse(f"/trials/{quote(tid, safe='')}", status_code=303)
    searched = bool(params.q or params.filters())
    data = _run_search(request, params) if searched else {}
    if searched and params.q and not data.get("total"):
        data["suggestions"] = lookup.did_you_mean(db(request), params.q)
    return render(
        request,
        "search.html",
        {
            "params": params,
            "searched": searched,
            "count": services.trial_count(db(request)),
            **data,
        },
    )


@router.get("/trials/{trial_id}", response_class=HTMLResponse)
async def trial_page(request: Request, trial_id: str):
    return render_trial(request, trial_id)


@router.get("/trials/{trial_id}/related", response_class=HTMLResponse)
async def related_trials(request: Request, trial_id: str, fragment: bool = False):
    """Related trials with the reason: a fragment the trial page inserts, or a page."""
    ctx = related(request, trial_id)
    return render(request, "related_fragment.html" if fragment else "related.html", ctx)


OPEN_STATUSES = ["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"]
LOCATION_STATUSES = ["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION",
                     "ACTIVE_NOT_RECRUITING", "COMPLETED", "TERMINATED", "WITHDRAWN",
                     "SUSPENDED", "UNKNOWN"]  # fmt: skip


@router.get("/locations", response_class=HTMLResponse)
async def locations(request: Request, params: SearchParams = search_params):
    """Trials near a place, nearest site first, a page at a time; open trials only unless the
    visitor picks a status ('any' for every status). Without a place, counts by country."""
    chosen = params.status[0] if params.status else "open"
    if chosen.lower() == "any":
        params.status = []
    elif chosen.lower() == "open":
        params.status = list(OPEN_STATUSES)
    if params.near or (params.lat is not None and params.lon is not None):
        params.sort = "distance"
        data = _run_search(request, params)
    else:  # open trials by country, from the search facets
        browse = SearchParams(q="", status=list(OPEN_STATUSES), limit=1)
        data = _run_search(request, browse)
        data["hits"] = []
    ctx = {"params": params, "status_choice": chosen, "statuses": LOCATION_STATUSES, **data}
    return render(request, "locations.html", ctx)


@router.get("/faq", response_class=HTMLResponse)
async def faq(request: Request):
    return render(request, "faq.html", {})


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request):
    """The OpenAPI description rendered server-side (no CDN: works offline)."""
    spec = request.app.openapi()
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "required": p.get("required", False),
                    "description": p.get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": params,
                    "body": "requestBody" in op,
                }
            )
    return render(request, "docs.html", {"endpoints": endpoints, "spec": spec})
