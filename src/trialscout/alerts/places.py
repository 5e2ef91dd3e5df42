"""A subscriber's place: "LAT,LON", or a name the search stage's gazetteer knows."""

from __future__ import annotations

import re

from trialscout.alerts.errors import SubscriptionError
from trialscout.store.db import Database

_POINT = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def resolve_place(db: Database, place: str) -> tuple[float, float]:
    match = _POINT.match(place)
    if match:
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SubscriptionError(f"place {place!r}: latitude/longitude out of range")
        return lat, lon
    try:
        from trialscout.search.geo import resolve_place as gazetteer
    except ImportError:
        raise SubscriptionError(
            f"cannot locate {place!r}: give the place as 'LAT,LON' (the search stage's "
            "gazetteer is not installed)"
        ) from None
    try:
        found = gazetteer(db, place)
    except ValueError as exc:  # the search stage's errors are ValueErrors with clear messages
        raise SubscriptionError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - e.g. no gazetteer table in this database yet
        raise SubscriptionError(f"cannot locate {place!r} ({exc}); give it as 'LAT,LON'") from None
    return found.lat, found.lon
