"""The coordinators' page: contact requests for the site's trials, behind a login.

Accounts live in the `coordinators` table with scrypt-hashed passwords; create one with
`trialscout coordinator-add USER` or the TRIALSCOUT_COORDINATOR_USER/_PASSWORD variables.
"""

from __future__ import annotations

import os

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from trialscout.store.trials import TrialStore
from trialscout.web import records
from trialscout.web.deps import client_ip, db, form_with_csrf, limit, render
from trialscout.web.security import (
    COORDINATOR_COOKIE,
    cookie_secure,
    coordinator_cookie,
    coordinator_session,
)

router = APIRouter(prefix="/coordinator", include_in_schema=False)
STATUSES = ("new", "contacted", "screened", "closed")


def _coordinator(request: Request) -> str | None:
    """The signed-in coordinator: a valid cookie that logout has not revoked on the server."""
    session = coordinator_session(request.app.state.secret, request.cookies.get(COORDINATOR_COOKIE))
    if session is None or not records.session_valid(db(request), *session):
        return None
    return session[0]


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request):
    ctx = {"error": None, "accounts": records.coordinator_count(db(request))}
    return render(request, "coordinator_login.html", ctx)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request):
    form = await form_with_csrf(request)
    limit(request, "login", 20, 60, 900)
    user, password = form.get("username", ""), form.get("password", "")
    ok = records.check_coordinator(db(request), user, password, client=client_ip(request))
    if not ok:
        ctx = {"error": "Wrong user name or password.", "accounts": 1}
        return render(request, "coordinator_login.html", ctx, 401)
    response = RedirectResponse("/coordinator", status_code=303)
    response.set_cookie(
        COORDINATOR_COOKIE,
        coordinator_cookie(request.app.state.secret, user.strip()),
        max_age=8 * 3600,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request.app.state.settings.secure_cookies, request.url.scheme),
        path="/coordinator",
    )
    return response


@router.post("/logout")
async def logout(request: Request):
    await form_with_csrf(request)
    if user := _coordinator(request):
        records.revoke_sessions(db(request), user)  # a copied cookie stops working too
    response = RedirectResponse("/coordinator/login", status_code=303)
    response.delete_cookie(COORDINATOR_COOKIE, path="/coordinator")
    return response


@router.get("", response_class=HTMLResponse)
async def requests_page(request: Request, trial: str | None = None):
    user = _coordinator(request)
    if user is None:
        return RedirectResponse("/coordinator/login", status_code=303)
    rows = records.all_contact_requests(db(request), trial or None)
    trials = TrialStore(db(request)).get_many(sorted({r.trial_id for r in rows}))
    ctx = {
        "user": user,
        "requests": rows,
        "trial": trial or "",
        "statuses": STATUSES,
        "titles": {tid: t.title for tid, t in trials.items()},
        "prescreens": records.prescreens(db(request), [r.request_id for r in rows]),
    }
    return render(request, "coordinator.html", ctx)


@router.post("/requests/{request_id}/status")
async def set_status(request: Request, request_id: int):
    if _coordinator(request) is None:
        raise HTTPException(401, "sign in as a coordinator first")
    form = await form_with_csrf(request)
    if form.get("status") not in STATUSES:
        raise HTTPException(422, f"status must be one of {', '.join(STATUSES)}")
    records.set_contact_status(db(request), request_id, form["status"])
    return RedirectResponse("/coordinator", status_code=303)


@router.get("/screening", response_class=HTMLResponse)
async def screening_page(request: Request, trial: str | None = None):
    """The latest `trialscout screen` run in $TRIALSCOUT_SCREEN_DIR: trials with their counts,
    or one trial's candidates (patient ids from the site's own export; coordinators only)."""
    user = _coordinator(request)
    if user is None:
        return RedirectResponse("/coordinator/login", status_code=303)
    from trialscout.screen import latest

    out_dir = os.environ.get("TRIALSCOUT_SCREEN_DIR") or None
    trial = (trial or "").strip()[:64]
    ctx = {
        "user": user,
        "configured": out_dir is not None,
        "trial": trial,
        "summary": latest.summary(out_dir) if out_dir and not trial else [],
        "candidates": latest.candidates(out_dir, trial) if out_dir and trial else [],
    }
    return render(request, "coordinator_screening.html", ctx)
