"""Plain words for change events: "Status: Not yet recruiting -> Recruiting"."""

from __future__ import annotations

import math
import re
from typing import Any

from trialscout.alerts.changes import ChangeEvent

_FIELD_NAMES = {
    "overall_status": "Status",
    "last_known_status": "Last known status",
    "why_stopped": "Why stopped",
    "eligibility.sex": "Sex eligible",
    "eligibility.minimum_age": "Minimum age",
    "eligibility.maximum_age": "Maximum age",
    "eligibility.healthy_volunteers": "Healthy volunteers",
    "start_date": "Start date",
    "primary_completion_date": "Primary completion date",
    "completion_date": "Completion date",
    "enrollment": "Enrollment",
    "enrollment_type": "Enrollment type",
    "central_contacts": "Contacts",
    "officials": "Study officials",
}
_SITE = re.compile(r"^locations\[(?P<name>.*)\](?:\.(?P<attr>\w+))?$")


def humanize(value: Any) -> str:
    """Registry enums read as words: NOT_YET_RECRUITING -> Not yet recruiting."""
    if value is None or value == [] or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", value):
        return value.replace("_", " ").capitalize()
    if isinstance(value, list):
        return "; ".join(_contact(v) if isinstance(v, dict) else humanize(v) for v in value)
    return str(value)


def _contact(d: dict) -> str:
    return ", ".join(str(d[k]) for k in ("name", "role", "phone", "email") if d.get(k)) or "(none)"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), enough to say "12 km from you"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def describe(event: ChangeEvent, place: tuple[float, float] | None = None) -> str:
    """One line for one event; `place` (lat, lon) adds the distance to a new site."""
    if event.category == "new":
        return f"New trial: {event.new}"
    if event.category == "criteria":
        return _criterion(event)
    site = _SITE.match(event.field)
    if site:
        return _site(event, site.group("name"), site.group("attr"), place)
    if event.field == "eligibility.criteria":
        return "Eligibility criteria text revised"
    if event.field == "results_first_posted":
        return f"Results posted: {event.new}" if event.new else "Results posting withdrawn"
    if event.field == "has_results":
        return "Results posted" if event.new else "Results no longer listed"
    name = _FIELD_NAMES.get(event.field, event.field.replace("_", " ").capitalize())
    return f"{name}: {humanize(event.old)} -> {humanize(event.new)}"


def _criterion(event: ChangeEvent) -> str:
    item = event.old or event.new or {}
    kind = str(item.get("kind") or "other")
    label = "criterion" if kind == "other" else f"{kind} criterion"
    if event.new is None:
        return f"{label.capitalize()} dropped: {item.get('text')}"
    return f"New {label}: {item.get('text')}"


def _site(event: ChangeEvent, name: str, attr: str | None, place) -> str:
    if attr == "status":
        return f"Site {name}: {humanize(event.old)} -> {humanize(event.new)}"
    if attr == "contacts":
        return f"Site contacts at {name}: {humanize(event.new)}"
    if attr is not None:
        return f"Site {name} {attr}: {humanize(event.old)} -> {humanize(event.new)}"
    if event.old is None:
        where = name
        loc = event.new or {}
        if place and loc.get("lat") is not None and loc.get("lon") is not None:
            km = distance_km(place[0], place[1], loc["lat"], loc["lon"])
            where += f", {km:,.0f} km from you"
        status = f" ({humanize(loc['status'])})" if loc.get("status") else ""
        return f"New site: {where}{status}"
    return f"Site removed: {name}"
