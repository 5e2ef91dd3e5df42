"""Alerts: change events detected at ingest, subscriptions with double opt-in, SMTP digests
with exactly-once delivery through an outbox, and Atom feeds.

Entry points: `changes.record_changes` (ingest hook), `subscriptions.subscribe/confirm/
unsubscribe/list_subscriptions`, `runner.run_alerts`, `feeds.trial_feed/search_feed`.
"""

from trialscout.alerts.errors import (
    AlertsError,
    ExpiredToken,
    InvalidEmail,
    InvalidToken,
    SavedSearchError,
    SubscriptionError,
)

__all__ = [
    "AlertsError",
    "ExpiredToken",
    "InvalidEmail",
    "InvalidToken",
    "SavedSearchError",
    "SubscriptionError",
]
