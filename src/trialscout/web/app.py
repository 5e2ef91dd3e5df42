"""The FastAPI app factory: one `Database` per app, server-rendered pages plus `/api/v1`.

Routes are `async def` and call the (synchronous, fast) library directly, so every use of the
single SQLite connection happens on the event-loop thread, one request at a time.
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from trialscout.store.db import Database
from trialscout.store.trials import TrialNotFound
from trialscout.web import (
    compare_view,
    forms,
    i18n,
    lookup,
    records,
    services,
    summary_view,
    viewmodels,
)
from trialscout.web.cache import PageCache
from trialscout.web.deps import html_error
from trialscout.web.records import RateLimited
from trialscout.web.security import (
    SECURITY_HEADERS,
    VISITOR_COOKIE,
    cookie_secure,
    new_visitor_id,
    sign,
    unsign,
)
from trialscout.web.services import BadInput, StageUnavailable

HERE = Path(__file__).parent
log = logging.getLogger(__name__)


@dataclass(slots=True)
class WebSettings:
    """Limits and credentials; environment variables override the defaults in `from_env`."""

    secret: str | None = None
    coordinator_user: str | None = None
    coordinator_password: str | None = None
    secure_cookies: bool = False
    rate_limits: bool = True
    warm_up: bool = True  # load stage vocabularies at startup (server lifespan)
    # Public address for links in e-mails, feeds and share links. Never taken from the request's
    # Host header (a subscription sent with `Host: evil.example` mailed a link to evil.example);
    # without it the server sends no mail and builds relative links.
    base_url: str | None = None
    # Where the notice of a new contact request goes (through the alerts outbox); none: no mail.
    coordinator_email: str | None = None

    @classmethod
    def from_env(cls) -> WebSettings:
        return cls(
            secret=os.environ.get("TRIALSCOUT_SECRET_KEY") or None,
            coordinator_user=os.environ.get("TRIALSCOUT_COORDINATOR_USER") or None,
            coordinator_password=os.environ.get("TRIALSCOUT_COORDINATOR_PASSWORD") or None,
            secure_cookies=os.environ.get("TRIALSCOUT_SECURE_COOKIES", "") == "1",
            rate_limits=os.environ.get("TRIALSCOUT_RATE_LIMITS", "1") != "0",
            base_url=(os.environ.get("TRIALSCOUT_BASE_URL") or "").rstrip("/") or None,
            coordinator_email=os.environ.get("TRIALSCOUT_COORDINATOR_EMAIL") or None,
        )


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.autoescape = True  # trial text is untrusted input
    env.auto_reload = False  # templates ship with the package: no stat() per render
    # Interface wording goes through `_()`; the language is the request's (`lang` in the
    # template context), so one environment serves every language (web/i18n.py).
    env.add_extension("jinja2.ext.i18n")
    env.filters["words"] = i18n.translated(viewmodels.words)
    env.filters["phase"] = i18n.translated(viewmodels.phase_label)
    env.filters["rule"] = i18n.translated(viewmodels.rule_label)
    env.filters["source_label"] = i18n.translated(summary_view.source_label)
    env.filters["grouped"] = viewmodels.grouped
    env.filters["facet_label"] = i18n.translated(viewmodels.facet_label)
    env.filters["country"] = i18n.translated(viewmodels.country_name)
    env.filters["condition_name"] = lookup.normalized_condition
    env.filters["inline_code"] = viewmodels.inline_code
    env.filters["highlight"] = viewmodels.highlight
    env.filters["distance_text"] = i18n.translated(compare_view.distance_text)
    i18n.install(env)  # gettext, `tr` and the doctor's-sheet questions in the page's language
    return templates


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str, headers: dict | None = None):
    if _is_api(request):
        body = {"error": {"status": status, "message": message}}
        return JSONResponse(body, status_code=status, headers=headers)
    response = html_error(request, status, message)
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        parts = []
        for err in exc.errors():
            loc = err.get("loc", ())
            where = ".".join(str(x) for x in loc if x not in ("body", "query"))
            default = "request body" if "body" in loc else "request"
            parts.append(f"{where or default}: {err.get('msg')}")
        return _error(request, 422, "invalid request: " + "; ".join(parts))

    @app.exception_handler(TrialNotFound)
    async def not_found(request: Request, exc: TrialNotFound):
        return _error(request, 404, str(exc))

    @app.exception_handler(StageUnavailable)
    async def unavailable(request: Request, exc: StageUnavailable):
        return _error(request, 503, str(exc))

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput):
        return _error(request, 400, str(exc))

    @app.exception_handler(RateLimited)
    async def limited(request: Request, exc: RateLimited):
        return _error(request, 429, str(exc), {"Retry-After": str(exc.retry_after_s)})


def _install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def visitor_and_headers(request: Request, call_next):
        secret = app.state.secret
        visitor = unsign(secret, request.cookies.get(VISITOR_COOKIE))
        fresh = visitor is None
        request.state.visitor_id = visitor or new_visitor_id()
        request.state.lang = i18n.choose(
            request.cookies.get(i18n.COOKIE), request.headers.get("accept-language")
        )
        try:
            response = await call_next(request)
        except Exception as exc:  # never echo internals (or patient data) back or into logs
            section = request.url.path.strip("/").split("/", 1)[0]  # no ids or share tokens
            log.error("unhandled %s on %s /%s", type(exc).__name__, request.method, section)
            response = _error(request, 500, "internal error; the request was not completed")
        if fresh:
            response.set_cookie(
                VISITOR_COOKIE,
                sign(secret, request.state.visitor_id),
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="lax",
                secure=cookie_secure(app.state.settings.secure_cookies, request.url.scheme),
            )
        if not _is_api(request):  # pages differ by the browser's language and the switch
            response.headers["Vary"] = "Accept-Language, Cookie"
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        personal = ("/shared/", "/coordinator", "/trials/", "/saved", "/shares/")
        if request.url.path.startswith(personal) or request.url.path == "/":  # visitor's forms
            response.headers["Cache-Control"] = "no-store"
        return response


def create_app(db_path: str | None = None, settings: WebSettings | None = None) -> FastAPI:
    """Build the app on one database (default: $TRIALSCOUT_DB or the user data directory)."""
    from trialscout.web import (
        routes_actions,
        routes_alerts,
        routes_api,
        routes_contact,
        routes_coordinator,
        routes_language,
        routes_pages,
        routes_saved,
    )

    settings = settings or WebSettings.from_env()
    if settings.coordinator_email and not forms.EMAIL.match(settings.coordinator_email):
        raise ValueError("TRIALSCOUT_COORDINATOR_EMAIL is not one e-mail address")
    db = Database(db_path)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if settings.warm_up:
            services.warm_up(db)
        yield
        db.close()

    app = FastAPI(
        lifespan=lifespan,
        title="trialscout",
        version="1",
        description="Find clinical trials and check eligibility. JSON API under /api/v1.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.db = db
    app.state.settings = settings
    app.state.secret = settings.secret or records.app_secret(db)
    app.state.templates = _templates()
    app.state.cache = PageCache()
    if settings.coordinator_user and settings.coordinator_password:
        records.set_coordinator(db, settings.coordinator_user, settings.coordinator_password)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    routers = (routes_api, routes_pages, routes_actions, routes_alerts, routes_coordinator)
    for module in (*routers, routes_saved, routes_contact, routes_language):
        app.include_router(module.router)
    _install_errors(app)
    _install_middleware(app)

    return app


def create_app_from_env() -> FastAPI:
    """Factory for several worker processes (`trialscout serve --workers N`): each worker opens
    its own connection to $TRIALSCOUT_DB; the secret, rate limits and visitor data live in the
    database, so all workers agree."""
    return create_app(os.environ.get("TRIALSCOUT_DB") or None)
