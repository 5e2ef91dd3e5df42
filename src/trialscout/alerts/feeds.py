"""Atom (RFC 4287) feeds of change events, per trial and per saved search.

One entry per trial version that changed something reportable, so a feed reader shows
"NCT...: Status: Not yet recruiting -> Recruiting" once per update.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import OrderedDict
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from trialscout.alerts import links
from trialscout.alerts.changes import ChangeEvent, events_for_trials, list_changes
from trialscout.alerts.saved_search import run_saved_search
from trialscout.alerts.wording import describe
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50


def _rfc3339(stamp: str) -> str:
    """Store stamps are '...T..:..:..ffffffZ'; Atom wants RFC 3339 (seconds are enough)."""
    return stamp[:19] + "Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _group(events: list[ChangeEvent]) -> list[list[ChangeEvent]]:
    groups: OrderedDict[tuple[str, int], list[ChangeEvent]] = OrderedDict()
    for e in sorted(events, key=lambda e: e.event_id, reverse=True):
        groups.setdefault((e.trial_id, e.version), []).append(e)
    return [sorted(g, key=lambda e: e.event_id) for g in groups.values()][:MAX_ENTRIES]


def render_feed(
    *, feed_id: str, title: str, self_url: str, alt_url: str, groups, titles, base_url
) -> str:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    newest = max((g[-1].detected_at for g in groups), default=None)
    _sub(
        feed,
        "updated",
        _rfc3339(newest) if newest else datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    author = _sub(feed, "author")
    _sub(author, "name", "trialscout")
    _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=alt_url, type="text/html")
    _sub(feed, "generator", "trialscout")
    for group in groups:
        first = group[0]
        lines = [describe(e) for e in group if e.field != "eligibility.criteria" or len(group) == 1]
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:trialscout,2026:change/{first.trial_id}/v{first.version}")
        name = titles.get(first.trial_id, first.trial_id)
        _sub(entry, "title", f"{first.trial_id}: {lines[0] if lines else 'updated'}")
        _sub(entry, "updated", _rfc3339(group[-1].detected_at))
        _sub(entry, "link", rel="alternate", href=links.trial_url(first.trial_id, base_url))
        _sub(entry, "summary", f"{name}\n" + "\n".join(f"- {line}" for line in lines))
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)


def trial_feed(db: Database, trial_id: str, *, base_url: str | None = None) -> str:
    """Atom feed of one trial's changes (raises TrialNotFound for an unknown id)."""
    store = TrialStore(db)
    record = store.get(trial_id)
    tid = record.trial.trial_id
    events = list_changes(db, trial_id=tid, newest_first=True, limit=MAX_ENTRIES * 20)
    return render_feed(
        feed_id=f"tag:trialscout,2026:feed/trial/{tid}",
        title=f"{tid}: {record.trial.title}",
        self_url=links.trial_feed_url(tid, base_url),
        alt_url=links.trial_url(tid, base_url),
        groups=_group(events),
        titles={tid: record.trial.title},
        base_url=base_url,
    )


def search_feed(
    db: Database, query: str, filters: dict | None = None, *, base_url: str | None = None
) -> str:
    """Atom feed of new and changed trials a saved search finds (SavedSearchError if it fails)."""
    hits = sorted(run_saved_search(db, query, filters or {}))
    last = db.conn.execute("SELECT coalesce(max(event_id), 0) FROM alert_changes").fetchone()[0]
    events = events_for_trials(db, hits, 0, last)
    groups = _group(events)
    titles = {
        t: tr.title for t, tr in TrialStore(db).get_many([g[0].trial_id for g in groups]).items()
    }
    return render_feed(
        feed_id=f"tag:trialscout,2026:feed/search/{quote(query, safe='')}",
        title=f"trialscout: {query}",
        self_url=links.search_feed_url(query, base_url),
        alt_url=f"{links.base_url(base_url)}/search?{urlencode({'q': query})}",
        groups=groups,
        titles=titles,
        base_url=base_url,
    )
