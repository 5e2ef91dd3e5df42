"""Per-request helpers shared by the route modules: the app's database, the visitor, CSRF,
rendering. Routes get the database from app state; they never open connections."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from trialscout.store.db import Database
from trialscout.web import records
from trialscout.web.security import CSRF_FIELD, CSRF_HEADER, csrf_ok, csrf_token


def db(request: Request) -> Database:
    return request.app.state.db


def visitor(request: Request) -> str:
    return request.state.visitor_id


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def render(request: Request, template: str, context: dict[str, Any], status: int = 200):
    state = request.app.state
    ctx = {
        "request": request,
        "lang": getattr(request.state, "lang", "en"),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(state.secret, request.state.visitor_id),
        **context,
    }
    return state.templates.TemplateResponse(request, template, ctx, status_code=status)


async def form_with_csrf(request: Request) -> dict[str, str]:
    """The posted form as plain strings, after checking the CSRF token (403 otherwise)."""
    form = await request.form()
    token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not csrf_ok(request.app.state.secret, request.state.visitor_id, str(token or "")):
        raise HTTPException(403, "the form expired or came from another site; reload the page")
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}


def limit(request: Request, action: str, per_visitor: int, per_ip: int, window_s: int) -> None:
    """Count one `action` for this visitor and this address; RateLimited when over."""
    settings = request.app.state.settings
    if not settings.rate_limits:
        return
    database = db(request)
    records.hit_rate_limit(database, f"{action}:v:{visitor(request)}", per_visitor, window_s)
    records.hit_rate_limit(database, f"{action}:ip:{client_ip(request)}", per_ip, window_s)


def html_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status)
