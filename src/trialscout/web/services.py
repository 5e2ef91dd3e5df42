"""The one module through which the web app calls the other pipeline stages.

Each stage (search, criteria, summary, match, alerts) is imported lazily at call time: when a
stage is missing or broken, its function raises `StageUnavailable` and the page shows a clear
"not available yet" section instead of failing. Nothing here logs arguments (they can be
patient data).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from dataclasses import dataclass, field
from typing import Any

from trialscout.ingest.criteria_store import load_criteria as load_stored_criteria
from trialscout.registry.model import Trial
from trialscout.store.db import Database
from trialscout.web import shared_cache

log = logging.getLogger(__name__)


class StageUnavailable(RuntimeError):
    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(f"the {stage} stage is not available yet ({reason})")
        self.stage = stage


class BadInput(ValueError):
    """The visitor's search input was refused by a stage; the message says why."""


class PlaceUnknown(BadInput):
    """The visitor typed a place the gazetteer does not know."""


def _module(stage: str, name: str):
    try:
        return importlib.import_module(name)
    except Exception as exc:  # a stage under construction may fail in any way
        log.debug("stage %s unavailable: %s", stage, type(exc).__name__)
        raise StageUnavailable(stage, f"{type(exc).__name__}: {exc}") from None


def _attr(stage: str, module: str, name: str):
    mod = _module(stage, module)
    if not hasattr(mod, name):
        raise StageUnavailable(stage, f"{module}.{name} missing")
    return getattr(mod, name)


def stage_status() -> dict[str, bool]:
    """Which stages answer right now (shown on /about and used by tests)."""
    checks = {
        "search": ("trialscout.search", "search"),
        "criteria": ("trialscout.ingest.criteria_store", "load_criteria"),
        "summary": ("trialscout.summary", "summarize"),
        "match": ("trialscout.match", None),
        "alerts": ("trialscout.alerts.subscriptions", "subscribe"),
    }
    status = {}
    for stage, (module, name) in checks.items():
        try:
            mod = _module(stage, module)
            status[stage] = name is None or hasattr(mod, name)
        except StageUnavailable:
            status[stage] = False
    return status


# -- search -----------------------------------------------------------------------------------

FILTER_FIELDS = (
    "status",
    "phase",
    "study_type",
    "sex",
    "age",
    "healthy_volunteers",
    "has_results",
    "country",
    "city",
    "near",
    "lat",
    "lon",
    "radius_km",
)


@dataclass(slots=True)
class SearchResult:
    hits: list[dict[str, Any]]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    place: str | None = None


def _hit_dict(hit: Any) -> dict[str, Any]:
    names = (
        "trial_id",
        "title",
        "score",
        "overall_status",
        "phases",
        "conditions",
        "last_update_posted",
        "distance_km",
        "nearest_site",
        "snippet",
    )
    out = {n: getattr(hit, n, None) for n in names}
    site = out["nearest_site"]
    if site is not None and not isinstance(site, str | dict):
        out["nearest_site"] = getattr(site, "__dict__", None) or str(site)
    return out


def search(
    db: Database,
    query: str,
    filters: dict[str, Any],
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
) -> SearchResult:
    """Run the search stage; `filters` holds only FILTER_FIELDS keys with non-empty values.
    Bad input (unknown filter value, unknown place) raises `BadInput` with the stage's message."""
    mod = _module("search", "trialscout.search")
    if not hasattr(mod, "search") or not hasattr(mod, "SearchFilters"):
        raise StageUnavailable("search", "trialscout.search.search missing")
    key = ("search", query, _frozen(filters), limit, offset, sort)
    return shared_cache.SEARCH_RESULTS.get_or_compute(
        db.conn, key, lambda: _search(mod, db, query, filters, limit, offset, sort)
    )


def _frozen(filters: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in filters.items()))


def _search(mod, db: Database, query: str, filters: dict[str, Any], limit, offset, sort):
    try:
        page = mod.search(
            db, query, mod.SearchFilters(**filters), limit=limit, offset=offset, sort=sort
        )
    except getattr(mod, "PlaceNotFound", ()) as exc:
        raise PlaceUnknown(str(exc)) from None
    except getattr(mod, "SearchError", ()) as exc:
        raise BadInput(str(exc)) from None
    return SearchResult(
        hits=[_hit_dict(h) for h in page.hits],
        total=int(page.total),
        facets=dict(getattr(page, "facets", {}) or {}),
        place=getattr(page, "place", None),
    )


def similar(db: Database, trial_id: str, limit: int = 5) -> list[dict[str, Any]]:
    run = _attr("similar trials", "trialscout.search", "similar_trials")
    return [
        {
            "trial_id": s.trial_id,
            "title": s.title,
            "score": s.score,
            "reason": getattr(s, "reason", None),
        }
        for s in run(db, trial_id, limit)
    ]


def trial_count(db: Database) -> int:
    """How many trials are stored: the same for everyone, so counted once per database state
    (a count(*) over 500,000 rows costs tens of milliseconds per page view otherwise)."""
    from trialscout.store.trials import TrialStore

    return shared_cache.COUNTS.get_or_compute(db.conn, "trials", TrialStore(db).count)


def resolve_place(db: Database, text: str) -> tuple[float, float, str]:
    """(lat, lon, resolved name) of a place typed by the visitor."""
    mod = _module("places", "trialscout.search")
    if not hasattr(mod, "resolve_place"):
        raise StageUnavailable("places", "trialscout.search.resolve_place missing")

    def lookup() -> tuple[float, float, str]:
        try:
            place = mod.resolve_place(db, text)
        except getattr(mod, "SearchError", ()) as exc:
            raise PlaceUnknown(str(exc)) from None
        return float(place.lat), float(place.lon), str(getattr(place, "name", text))

    return shared_cache.PLACES.get_or_compute(db.conn, ("place", text), lookup)


# -- criteria, summary ------------------------------------------------------------------------


def load_criteria(db: Database, trial: Trial) -> dict[str, Any] | None:
    """Contract 1 for the trial as stored by the ingest hook (re-parsed when the stored parser
    version is older); None when it has no criteria text. A failing criteria stage raises."""
    if not (trial.eligibility.criteria or "").strip():
        return None
    return load_stored_criteria(db, trial.trial_id)


def summarize(trial: Trial, criteria: dict[str, Any] | None) -> dict[str, Any]:
    summary = _attr("summary", "trialscout.summary", "summarize")(trial, criteria)
    return summary.to_dict()


def warm_up(db: Database) -> None:
    """Load the stages' vocabularies once at startup (the summary's first call takes seconds),
    so the first visitor does not wait for them."""
    from trialscout.store.trials import TrialStore

    trial = next(iter(TrialStore(db).iter_trials(batch=1)), None)
    if trial is None:
        return
    with contextlib.suppress(Exception):
        summarize(trial, load_criteria(db, trial))


# -- match ------------------------------------------------------------------------------------


def match(
    db: Database,
    profile: dict[str, Any] | Any,
    trial_ids: list[str] | None,
    limit: int = 20,
    where: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Contract 3 for a contract-2 profile or a Patient; `trial_ids` restricts to those trials,
    `where` (near, radius_km, status) narrows the search otherwise. The match stage is called
    directly: when it fails, the error surfaces."""
    from trialscout.search import PlaceNotFound
    from trialscout.web import match_adapter

    try:
        return match_adapter.run(db, profile, trial_ids, limit, where or {})
    except PlaceNotFound as exc:
        raise PlaceUnknown(str(exc)) from None


def match_arranged(
    db: Database, patient: Any, trial_id: str, answered: int, criteria: dict | None = None
) -> Any:
    """One trial judged for a Patient, arranged answer-first (trialscout.plain.arrange)."""
    from trialscout.web import match_adapter

    return match_adapter.arranged(db, patient, trial_id, answered, criteria)


# -- alerts -----------------------------------------------------------------------------------


def subscribe(db: Database, email: str, **kw: Any) -> Any:
    return _attr("alerts", "trialscout.alerts.subscriptions", "subscribe")(db, email, **kw)


def confirm_subscription(db: Database, token: str) -> Any:
    return _attr("alerts", "trialscout.alerts.subscriptions", "confirm")(db, token)


def unsubscribe(db: Database, token: str) -> Any:
    return _attr("alerts", "trialscout.alerts.subscriptions", "unsubscribe")(db, token)


def alerts_feed(kind: str, db: Database, target: str, base_url: str) -> str:
    """Atom XML from the alerts stage: kind is "trial_feed" or "search_feed"."""
    render = _attr("alerts", "trialscout.alerts.feeds", kind)
    return render(db, target, base_url=base_url.rstrip("/"))


def contact_notifier() -> Any:
    """`alerts.contact_notice.queue_contact_notice`: the coordinator's e-mail notice."""
    return _attr("alerts", "trialscout.alerts.contact_notice", "queue_contact_notice")
