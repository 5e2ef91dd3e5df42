"""The alert links people get by email and feed readers: confirm (double opt-in), unsubscribe,
Atom feeds. Paths match trialscout.alerts.links; the alerts stage does the work."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialscout.web import services
from trialscout.web.deps import db, render

router = APIRouter(include_in_schema=False)
ATOM = "application/atom+xml; charset=utf-8"


def _done(request: Request, action, token: str, title: str, text: str):
    try:
        result = action(db(request), token)
    except ValueError as exc:  # invalid, expired or forged token
        return render(request, "message.html", {"title": "Link not valid", "text": str(exc)}, 400)
    notice = getattr(result, "notice", None)
    return render(request, "message.html", {"title": title, "text": notice or text})


@router.get("/alerts/confirm", response_class=HTMLResponse)
@router.get("/alerts/confirm/{token}", response_class=HTMLResponse)
async def confirm(request: Request, token: str = ""):
    text = "Your subscription is confirmed. Every email has a link to stop it."
    return _done(request, services.confirm_subscription, token, "Confirmed", text)


@router.get("/alerts/unsubscribe", response_class=HTMLResponse)
@router.get("/alerts/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(request: Request, token: str = ""):
    text = "You will not get these notifications any more."
    return _done(request, services.unsubscribe, token, "Unsubscribed", text)


def _base(request: Request) -> str:
    """Feed links use the configured public address (relative without one), not the Host."""
    return request.app.state.settings.base_url or ""


@router.get("/alerts/feeds/trial/{trial_id}.atom")
async def trial_feed(request: Request, trial_id: str):
    feed = services.alerts_feed("trial_feed", db(request), trial_id, _base(request))
    return Response(feed, media_type=ATOM)


@router.get("/alerts/feeds/search.atom")
async def search_feed(request: Request, q: str = ""):
    if not q.strip():
        return render(
            request, "error.html", {"status": 400, "message": "give a search: ?q=..."}, 400
        )
    try:
        feed = services.alerts_feed("search_feed", db(request), q, _base(request))
    except ValueError as exc:
        return render(request, "error.html", {"status": 400, "message": str(exc)}, 400)
    return Response(feed, media_type=ATOM)


@router.get("/search")
async def search_alias(request: Request):
    """Feeds link to /search?q=...; the search page lives at /."""
    query = request.url.query
    return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=307)
