"""The language switch on every page: a link that remembers the choice in a cookie, then goes
back to the page it came from (a path on this site only)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from trialscout.web import i18n
from trialscout.web.security import cookie_secure

router = APIRouter(include_in_schema=False)


@router.get("/language")
async def switch_language(request: Request, lang: str = "", next: str = "/"):
    if lang not in i18n.LANGUAGES:
        raise HTTPException(400, f"unknown language {lang!r}; valid: {', '.join(i18n.LANGUAGES)}")
    response = RedirectResponse(i18n.safe_next(next), status_code=303)
    response.set_cookie(
        i18n.COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request.app.state.settings.secure_cookies, request.url.scheme),
    )
    return response
