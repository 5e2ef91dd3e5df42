"""Alert errors: all `ValueError`s, so the CLI and the web app show their message, not a trace."""

from __future__ import annotations


class AlertsError(ValueError):
    """Something about an alert request is wrong; the message says what and what to do."""


class InvalidEmail(AlertsError):
    pass


class InvalidToken(AlertsError):
    """A link that was not issued by this installation (forged, mistyped, or for another action)."""


class ExpiredToken(AlertsError):
    pass


class SubscriptionError(AlertsError):
    """A subscription request that cannot be accepted (unknown trial, bad filters, bad place)."""


class SavedSearchError(AlertsError):
    """A stored saved search that can no longer be run (the query or filters no longer parse)."""


class RunInProgress(AlertsError):
    pass
