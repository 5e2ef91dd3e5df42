"""Search errors: all are `ValueError`s with a message a user can act on, never sqlite errors."""

from __future__ import annotations


class SearchError(ValueError):
    """Base class for bad search input."""


class InvalidQuery(SearchError):
    """The query text cannot be searched (empty, too long, nothing searchable left)."""


class InvalidFilter(SearchError):
    """A filter value is unknown or out of range; the message lists the valid values."""


class EmbedExtraMissing(SearchError):
    """Semantic search was asked for, but torch / sentence-transformers are not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            "semantic search needs the embed extra: pip install 'trialscout[embed]' "
            f"(cannot import {missing})"
        )
        self.missing = missing


class NoEmbeddings(SearchError):
    """Semantic search was asked for, but no trial has a stored embedding yet."""


class PlaceNotFound(SearchError):
    """A place name that the registry-built gazetteer does not know."""

    def __init__(self, place: str, suggestions: list[str] | None = None) -> None:
        hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(
            f"unknown place {place!r}: not a city, state or country of any stored trial site{hint}"
        )
        self.place = place
        self.suggestions = suggestions or []
