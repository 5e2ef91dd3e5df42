"""Presentation helpers: registry enums to words, masked contacts, distances, the timeline.

Pure functions over the `Trial` model so templates stay free of logic and these are tested
without a server.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from trialscout import plain
from trialscout.registry.model import Contact, Location, Trial

MASK = "•••"


def words(value: str | None) -> str:
    """'NOT_YET_RECRUITING' -> 'Not yet recruiting'; None -> ''."""
    if not value:
        return ""
    text = value.replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:]


def phase_label(phases: list[str] | None) -> str:
    if not phases:
        return "Phase not stated"
    labels = []
    for p in phases:
        m = re.fullmatch(r"(EARLY_)?PHASE(\d)", p or "")
        if m:
            labels.append(("Early phase " if m.group(1) else "Phase ") + m.group(2))
        else:
            labels.append("Not applicable" if p == "NA" else words(p))
    return " / ".join(labels)


_SMALL_WORDS = {"of", "and", "the", "da", "del", "de"}


def country_name(value: str | None) -> str:
    """'united states' -> 'United States', 'korea, republic of' -> 'Korea, Republic of'."""
    parts = (value or "").split()
    return " ".join(
        w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(parts)
    )


def facet_label(value: str | None, name: str) -> str:
    """A facet value as shown; a record without the field says 'Not stated', never 'None'."""
    if value is None or str(value).strip().upper() in ("", "NONE", "NULL"):
        return "Not stated"
    if name == "phase":
        return phase_label([value])
    if name == "country":
        return country_name(value)
    return words(value)


def masked(contact: Contact) -> dict[str, str | None]:
    """Names stay visible (as on the reference pages); phone and email are hidden."""
    return {
        "name": contact.name,
        "role": words(contact.role),
        "phone": MASK if contact.phone else None,
        "email": MASK if contact.email else None,
    }


def shown(contact: Contact) -> dict[str, str | None]:
    return {
        "name": contact.name,
        "role": words(contact.role),
        "phone": contact.phone,
        "email": contact.email,
    }


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@dataclass(slots=True)
class SiteView:
    facility: str
    place: str
    status: str
    distance_km: float | None
    contacts: list[dict[str, str | None]]
    approximate: bool = False


def sites(
    trial: Trial,
    origin: tuple[float, float] | None,
    reveal: bool = False,
    locate: Callable[[Location], tuple[float, float] | None] | None = None,
) -> list[SiteView]:
    """Locations, nearest first when the visitor gave a place. Sites the registry gives no
    coordinates for are placed by `locate` (their city), so their distance is approximate."""
    out = []
    for loc in trial.locations:
        dist, approx = None, False
        point = (loc.lat, loc.lon) if loc.lat is not None and loc.lon is not None else None
        if origin and point is None and locate is not None:
            point, approx = locate(loc), True
        if origin and point:
            dist = round(haversine_km(origin[0], origin[1], point[0], point[1]), 1)
        place = ", ".join(x for x in (loc.city, loc.state, loc.country) if x)
        out.append(
            SiteView(
                facility=loc.facility or "Site",
                place=place,
                status=words(loc.status),
                distance_km=dist,
                approximate=approx and dist is not None,
                contacts=[(shown if reveal else masked)(c) for c in loc.contacts],
            )
        )
    if origin:
        out.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0.0))
    return out


def timeline(trial: Trial) -> list[tuple[str, str]]:
    """(label, date) as the reference pages list them; unknown dates are 'Not reported'."""
    est = (trial.completion_date_type or "").upper() == "ESTIMATED"
    return [
        ("First submitted", trial.first_submitted or "Not reported"),
        ("First posted", trial.first_posted or "Not reported"),
        ("Study start", trial.start_date or "Not reported"),
        ("Last update", trial.last_update_posted or "Not reported"),
        (
            "Estimated completion" if est else "Completion",
            trial.completion_date or "Not reported",
        ),
    ]


def basic_info(trial: Trial) -> list[tuple[str, str]]:
    enrollment = ""
    if trial.enrollment is not None:
        kind = words(trial.enrollment_type).lower()
        enrollment = f"{trial.enrollment} participants" + (f" ({kind})" if kind else "")
    e = trial.eligibility
    ages = f"{e.minimum_age or 'No minimum'} to {e.maximum_age or 'no maximum'}"
    volunteers = {True: "Accepted", False: "Not accepted", None: "Not stated"}
    rows = [
        ("Status", words(trial.overall_status) or "Not stated"),
        ("Phase", phase_label(trial.phases)),
        ("Study type", words(trial.study_type)),
        ("Enrollment", enrollment),
        ("Ages", ages),
        ("Sex", words(e.sex) or "Not stated"),
        ("Healthy volunteers", volunteers[e.healthy_volunteers]),
        ("Start date", trial.start_date or ""),
        ("Completion date", trial.completion_date or ""),
        ("Why stopped", trial.why_stopped or ""),
    ]
    return [(k, v) for k, v in rows if v]


def design_rows(trial: Trial) -> list[tuple[str, str]]:
    d = trial.design
    rows = [
        ("Purpose", words(d.purpose)),
        ("Allocation", words(d.allocation)),
        ("Model", words(d.model)),
        ("Model description", d.model_description or ""),
        ("Masking", words(d.masking)),
        ("Who is masked", ", ".join(words(w) for w in d.who_masked)),
        ("Observational model", words(d.observational_model)),
        ("Time perspective", words(d.time_perspective)),
    ]
    return [(k, v) for k, v in rows if v]


def identifiers(trial: Trial) -> list[tuple[str, str]]:
    rows = [("Trial ID", trial.trial_id)]
    if trial.nct_id and trial.nct_id != trial.trial_id:
        rows.append(("NCT number", trial.nct_id))
    if trial.org_study_id:
        rows.append(("Organization study ID", trial.org_study_id))
    for sid in trial.secondary_ids:
        rows.append((words(sid.type) or sid.domain or "Other ID", sid.id))
    return rows


def criteria_checklist(
    parsed: dict[str, Any] | None, raw: str | None
) -> dict[str, list[dict[str, Any]]]:
    """Inclusion and exclusion lists; from parsed criteria when available, else the raw lines."""
    out: dict[str, list[dict[str, Any]]] = {"inclusion": [], "exclusion": [], "other": []}
    if parsed and parsed.get("criteria"):
        for i, c in enumerate(parsed["criteria"]):
            kind = c.get("kind") if c.get("kind") in out else "other"
            rules = plain.chip_rules(c)  # 'No prior A or B': shown as no A, no B
            topic = criterion_topic(rules, kind)
            out[kind].append(
                {"index": i, "text": c.get("text", ""), "rules": rules, "topic": topic}
            )
        return out
    kind = "other"
    for line in (raw or "").splitlines():
        text = line.strip().lstrip("-*•·").strip()
        low = text.lower()
        if not text:
            continue
        if low.startswith("inclusion criteria"):
            kind = "inclusion"
            continue
        if low.startswith("exclusion criteria"):
            kind = "exclusion"
            continue
        text = re.sub(r"^\d+[.)]\s*", "", text)
        out[kind].append({"index": None, "text": text, "rules": [], "topic": TOPICS[-1]})
    return out


TOPICS = (
    "Age and sex",
    "Your illness and its stage",
    "Lab results",
    "Treatments",
    "Other health conditions",
    "Other",
)
_TOPIC_OF = {
    "age": 0,
    "sex": 0,
    "score": 1,
    "life_expectancy": 1,
    "lab": 2,
    "therapy": 3,
    "condition": 4,
}


def criterion_topic(rules: list[dict[str, Any]], kind: str) -> str:
    """The group a criterion is listed under, from its first computable rule: a condition the
    trial asks for is the illness studied; one it excludes is another health condition."""
    for r in rules:
        if r.get("type") == "condition":
            return TOPICS[1] if kind == "inclusion" and r.get("present", True) else TOPICS[4]
        if r.get("type") in _TOPIC_OF:
            return TOPICS[_TOPIC_OF[r["type"]]]
    return TOPICS[-1]


def grouped(items: list[dict[str, Any]], kind: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """Criteria of one kind under their topics, topics in a fixed order, every item kept."""
    out = []
    for topic in TOPICS:
        chosen = [c for c in items if c.get("topic", TOPICS[-1]) == topic]
        if chosen:
            out.append((topic, chosen))
    return out


def rule_label(rule: dict[str, Any], text: str = "") -> str:
    """A chip for a parsed rule as people write it ('platelets at least 50 ×10⁹/L'); `text` is
    the criterion's own text, so numbers show as the trial stated them."""
    return plain.rule_phrase(rule, text)


def inline_code(text: str | None) -> Markup:
    """API descriptions write `name` for code: escaped, then shown as <code>, no backticks."""
    escaped = str(escape(text or ""))
    return Markup(re.sub(r"`([^`]{1,200})`", r"<code>\1</code>", escaped))


def highlight(snippet: str | None) -> Markup:
    """Search snippets mark matched words as [word]: escape the text, then mark those."""
    text = str(escape(snippet or ""))
    return Markup(re.sub(r"\[([^\[\]]{1,80})\]", r"<mark>\1</mark>", text))


def wait_message(seconds: int) -> str:
    """The honest answer during a guessing wait: the passcode was not checked at all."""
    if seconds < 60:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = math.ceil(seconds / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"Too many tries: wait {wait} and try again. Your passcode was not checked this time."
