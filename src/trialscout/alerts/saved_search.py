"""The one place alerts call the search stage, so saved searches survive its changes.

A saved search is stored as text + a filters dict; each run re-parses it. If it no longer
parses (a filter renamed, a query rejected), the error is reported for that subscription and its
cursor stays put, so nothing is lost once it is fixed.
"""

from __future__ import annotations

from typing import Any

from trialscout.alerts.errors import SavedSearchError, SubscriptionError
from trialscout.store.db import Database

MAX_HITS = 5000  # newest-updated first, so recently changed trials are inside the window
PAGE = 1000


def _stage():
    try:
        from trialscout.search import SearchFilters, search
    except ImportError:
        return None
    return search, SearchFilters


def _filters(filters: dict[str, Any], SearchFilters) -> Any:
    try:
        return SearchFilters(**filters)
    except TypeError as exc:
        raise SavedSearchError(f"saved search filters no longer valid: {exc}") from None


def validate_search(db: Database, query: str, filters: dict[str, Any]) -> None:
    """Reject a saved search at subscribe time if the search stage cannot run it."""
    if not isinstance(filters, dict):
        raise SubscriptionError("search filters must be a mapping of filter name to value")
    if len(query) > 1000:
        raise SubscriptionError("search text is too long (at most 1000 characters)")
    stage = _stage()
    if stage is None:
        return  # checked on each run once the search stage is installed
    search, SearchFilters = stage
    try:
        search(db, query, _filters(filters, SearchFilters), limit=1)
    except ValueError as exc:  # SavedSearchError, or the search stage's own clear errors
        raise SubscriptionError(f"cannot save this search: {exc}") from None


def run_saved_search(
    db: Database, query: str, filters: dict[str, Any], *, updated_since: str | None = None
) -> set[str]:
    """Trial ids the saved search finds now (up to MAX_HITS). Hits come newest-updated first, so
    with `updated_since` paging stops once hits are older than every trial of interest."""
    stage = _stage()
    if stage is None:
        raise SavedSearchError("saved searches need the search stage (trialscout.search)")
    search, SearchFilters = stage
    found: set[str] = set()
    try:
        parsed = _filters(filters, SearchFilters)
        while len(found) < MAX_HITS:
            page = search(db, query, parsed, limit=PAGE, offset=len(found), sort="last_update")
            found.update(hit.trial_id for hit in page.hits)
            if len(page.hits) < PAGE or len(found) >= page.total:
                break
            oldest = getattr(page.hits[-1], "last_update_posted", None)
            if updated_since and oldest and oldest < updated_since:
                break
    except SavedSearchError:
        raise
    except ValueError as exc:
        raise SavedSearchError(f"saved search {query!r} no longer runs: {exc}") from None
    return found
