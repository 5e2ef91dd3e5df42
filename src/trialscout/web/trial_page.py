"""Everything the trial page shows, gathered in one place so the GET page and the pages that
re-render it (revealed contacts, form errors, a new note or share link) stay identical."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request

from trialscout.store.trials import TrialStore
from trialscout.web import (
    records,
    records_saved,
    records_shares,
    related_view,
    services,
    site_map,
    summary_view,
    viewmodels,
)
from trialscout.web.deps import db, render, visitor

log = logging.getLogger(__name__)


def _optional(stage_call, *args) -> tuple[Any, str | None]:
    """(value, None) or (None, why it is unavailable). A stage failing in any other way must
    not take the whole trial page down: that part says so and the failure is logged (type
    only, no content)."""
    try:
        return stage_call(*args), None
    except services.StageUnavailable as exc:
        return None, str(exc)
    except Exception as exc:
        log.error("trial page part failed: %s", type(exc).__name__)
        return None, f"this part failed ({type(exc).__name__}); the rest of the page is fine"


def _origin(request: Request, near: str | None) -> tuple[tuple[float, float] | None, str | None]:
    if not near:
        return None, None
    try:
        lat, lon, _label = services.resolve_place(db(request), near)
        return (lat, lon), None
    except services.PlaceUnknown as exc:
        return None, str(exc)
    except services.StageUnavailable as exc:
        return None, str(exc)


def site_locator(request: Request):
    """Coordinates of a site's city from the search gazetteer, cached for this request."""
    cache: dict[str, tuple[float, float] | None] = {}

    def locate(loc) -> tuple[float, float] | None:
        name = ", ".join(x for x in (loc.city, loc.country) if x)
        if not name:
            return None
        if name not in cache:
            try:
                lat, lon, _ = services.resolve_place(db(request), name)
                cache[name] = (lat, lon)
            except (services.BadInput, services.StageUnavailable):
                cache[name] = None
        return cache[name]

    return locate


def trial_context(
    request: Request, trial_id: str, *, reveal: bool = False, near: str | None = None
) -> dict[str, Any]:
    database = db(request)
    record = TrialStore(database).get(trial_id)
    trial = record.trial
    tid = trial.trial_id
    cache = request.app.state.cache
    key = (tid, record.version)
    parsed, criteria_missing = _optional(
        cache.get_or_compute, ("criteria", *key), lambda: services.load_criteria(database, trial)
    )
    summary, summary_missing = _optional(
        cache.get_or_compute, ("summary", *key), lambda: services.summarize(trial, parsed)
    )
    # Related trials cost the most on a large registry: inline when cached, else the page
    # loads them afterwards from /trials/{id}/related (a link without JavaScript).
    similar, similar_missing = cache.peek(("similar", *key)), None
    related_later = similar is None
    origin, place_error = _origin(request, near)
    return {
        "trial": trial,
        "record": record,
        "basic": viewmodels.basic_info(trial),
        "design": viewmodels.design_rows(trial),
        "identifiers": viewmodels.identifiers(trial),
        "timeline": viewmodels.timeline(trial),
        "sites": viewmodels.sites(trial, origin, reveal, site_locator(request)),
        "map_dots": site_map.site_map(trial, site_locator(request), origin),
        "central_contacts": [
            (viewmodels.shown if reveal else viewmodels.masked)(c) for c in trial.central_contacts
        ],
        "reveal": reveal,
        "near": near or "",
        "place_error": place_error,
        "checklist": viewmodels.criteria_checklist(parsed, trial.eligibility.criteria),
        "parsed": parsed,
        "criteria_missing": criteria_missing,
        "summary": summary,
        "summary_lead": summary_view.lead(trial, parsed),
        "summary_sections": summary_view.sections(summary),
        "summary_missing": summary_missing,
        "similar": similar or [],
        "similar_missing": similar_missing,
        "related_later": related_later,
        "patients_applied": records.count_contact_requests(database, tid),
        "notes": records.list_notes(database, visitor(request), tid),
        "my_shares": records_shares.list_shares(database, visitor(request), tid),
        "saved_ids": set(records_saved.saved_ids(database, visitor(request))),
        "my_requests": records.visitor_contact_requests(database, visitor(request), tid),
        "my_subscriptions": records.visitor_subscriptions(database, visitor(request)),
        "contact_form": {},
        "contact_errors": {},
        "subscribe_errors": {},
        "share_link": None,
        "flash": None,
    }


def render_trial(request: Request, trial_id: str, status: int = 200, **overrides: Any):
    reveal = overrides.pop("reveal", False)
    near = overrides.pop("near", None) or request.query_params.get("near")
    ctx = trial_context(request, trial_id, reveal=reveal, near=near)
    ctx.update(overrides)
    return render(request, "trial.html", ctx, status)


def related(request: Request, trial_id: str) -> dict[str, Any]:
    """The related-trials part alone (cached like the page)."""
    database = db(request)
    record = TrialStore(database).get(trial_id)
    tid = record.trial.trial_id
    similar, missing = _optional(
        request.app.state.cache.get_or_compute,
        ("similar", tid, record.version),
        lambda: related_view.arrange(
            database, record.trial, services.similar(database, tid, related_view.CANDIDATES), 5
        ),
    )
    return {"trial": record.trial, "similar": similar or [], "similar_missing": missing}
