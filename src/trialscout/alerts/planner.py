"""Plan digests: which active subscriptions are due, what each has to report, one message per
address. All of it happens in one transaction with the cursor updates, so it is all-or-nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from trialscout.alerts import links
from trialscout.alerts.changes import (
    ChangeEvent,
    changed_trial_ids,
    events_for_trials,
    list_changes,
    max_event_id,
)
from trialscout.alerts.errors import SavedSearchError
from trialscout.alerts.messages import DigestSection, TrialChanges, digest
from trialscout.alerts.outbox import enqueue, iso, parse_iso
from trialscout.alerts.profiles import profile_matches
from trialscout.alerts.saved_search import run_saved_search
from trialscout.alerts.subscriptions import (
    Subscription,
    list_subscriptions,
    saved_profile,
    unsubscribe_token,
)
from trialscout.alerts.wording import describe
from trialscout.store.db import Database

# A little slack so a daily cron that fires a few minutes early still sends that day.
PERIODS = {"daily": timedelta(hours=23, minutes=50), "weekly": timedelta(days=6, hours=23)}


@dataclass(slots=True)
class PlanReport:
    up_to_event: int = 0
    considered: int = 0
    not_due: int = 0
    with_news: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)


def is_due(sub: Subscription, now: datetime) -> bool:
    """Immediately: always. Daily/weekly: a period after the last digest (or the opt-in)."""
    period = PERIODS.get(sub.frequency)
    anchor = sub.last_sent_at or sub.confirmed_at
    if period is None or anchor is None:
        return True
    return now - parse_iso(anchor) >= period


def search_filters(sub: Subscription) -> dict:
    """The saved filters plus the subscriber's place and radius (the search stage measures it)."""
    filters = dict(sub.filters or {})
    if sub.place_lat is not None and sub.radius_km:
        filters.update(lat=sub.place_lat, lon=sub.place_lon, radius_km=sub.radius_km)
    return filters


class _Context:
    """Per-run caches: subscriptions sharing a cursor or a saved search share the work."""

    def __init__(self, db: Database, up_to: int) -> None:
        self.db, self.up_to = db, up_to
        self.changed: dict[int, list[str]] = {}
        self.searches: dict[str, set[str] | SavedSearchError] = {}
        self._since: str | None = None
        self._titles: dict[str, str] = {}
        self.notes: dict[tuple[int, str], str] = {}  # (subscription, trial) -> match line

    def titles(self, trial_ids: list[str]) -> dict[str, str]:
        """Titles from the trials table's summary column (no need to decode whole records)."""
        missing = [t for t in trial_ids if t not in self._titles]
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for tid, title in self.db.conn.execute(
                f"SELECT trial_id, title FROM trials WHERE trial_id IN ({marks})", chunk
            ):
                self._titles[tid] = title or tid
        return {t: self._titles.get(t, t) for t in trial_ids}

    def updated_since(self) -> str | None:
        """The oldest update date among trials changed since the oldest cursor (paging bound)."""
        if self._since is None:
            row = self.db.conn.execute(
                "SELECT min(coalesce(t.last_update_posted, '')) FROM trials t WHERE t.trial_id IN "
                "(SELECT trial_id FROM alert_changes WHERE event_id > (SELECT coalesce(min("
                "last_event_id), 0) FROM alert_subscriptions WHERE status = 'active' AND kind = "
                "'search') AND event_id <= ?)",
                (self.up_to,),
            ).fetchone()
            self._since = row[0] or ""
        return self._since or None

    def changed_since(self, after: int) -> list[str]:
        if after not in self.changed:
            self.changed[after] = changed_trial_ids(self.db, after, self.up_to)
        return self.changed[after]

    def search_hits(self, sub: Subscription) -> set[str]:
        filters = search_filters(sub)
        key = repr((sub.search or "", sorted(filters.items(), key=str)))
        if key not in self.searches:
            try:
                self.searches[key] = run_saved_search(
                    self.db, sub.search or "", filters, updated_since=self.updated_since()
                )
            except SavedSearchError as exc:
                self.searches[key] = exc
        found = self.searches[key]
        if isinstance(found, SavedSearchError):
            raise found
        return found


def _events_for(ctx: _Context, sub: Subscription) -> list[ChangeEvent]:
    if sub.kind == "profile":
        return _profile_events(ctx, sub)
    if sub.kind == "trial":
        return list_changes(
            ctx.db, trial_id=sub.trial_id, after_event=sub.last_event_id, up_to_event=ctx.up_to
        )
    candidates = ctx.changed_since(sub.last_event_id)
    if not candidates:
        return []
    hits = ctx.search_hits(sub)
    matching = [t for t in candidates if t in hits]
    return events_for_trials(ctx.db, matching, sub.last_event_id, ctx.up_to)


def _profile_events(ctx: _Context, sub: Subscription) -> list[ChangeEvent]:
    candidates = ctx.changed_since(sub.last_event_id)
    if not candidates:
        return []
    matches = profile_matches(ctx.db, saved_profile(ctx.db, sub.sub_id) or {}, candidates)
    for m in matches:
        ctx.notes[(sub.sub_id, m.trial_id)] = m.line()
    return events_for_trials(ctx.db, [m.trial_id for m in matches], sub.last_event_id, ctx.up_to)


def _section(
    ctx: _Context, sub: Subscription, events: list[ChangeEvent], base_url
) -> DigestSection:
    by_trial: dict[str, list[ChangeEvent]] = defaultdict(list)
    for e in events:
        by_trial[e.trial_id].append(e)
    db = ctx.db
    titles = ctx.titles(list(by_trial))
    place = (sub.place_lat, sub.place_lon) if sub.place_lat is not None else None
    section = DigestSection(
        target=sub.target,
        unsubscribe_url=links.unsubscribe_url(unsubscribe_token(db, sub.sub_id), base_url),
        feed_url=links.trial_feed_url(sub.trial_id, base_url) if sub.kind == "trial" else None,
    )
    for tid, evs in by_trial.items():
        has_items = any(e.category == "criteria" for e in evs)
        note = ctx.notes.get((sub.sub_id, tid))
        lines = ([note] if note else []) + [
            describe(e, place) for e in evs if not (has_items and e.field == "eligibility.criteria")
        ]
        section.trials.append(
            TrialChanges(tid, titles.get(tid, tid), links.trial_url(tid, base_url), lines)
        )
    return section


def plan_digests(
    db: Database, *, now: datetime | None = None, base_url: str | None = None
) -> PlanReport:
    """Queue at most one digest per address for everything new since each cursor.

    Matching (searches, profile checks) runs outside any write transaction, so ingest is not
    blocked meanwhile; the messages and cursor moves are then written in one short transaction,
    and only for subscriptions whose cursor has not moved since they were read.
    """
    now = now or datetime.now(UTC)
    report = PlanReport(up_to_event=max_event_id(db))
    ctx = _Context(db, report.up_to_event)
    per_email: dict[str, list[tuple[Subscription, DigestSection]]] = defaultdict(list)
    quiet: list[Subscription] = []
    failed: list[tuple[Subscription, str]] = []
    for sub in list_subscriptions(db, status="active"):
        report.considered += 1
        if sub.last_event_id >= report.up_to_event:
            continue
        if not is_due(sub, now):
            report.not_due += 1
            continue
        try:
            events = _events_for(ctx, sub)
        except Exception as exc:  # noqa: BLE001 - one bad saved search must not stop the others
            text = str(exc) if isinstance(exc, SavedSearchError) else f"matching failed: {exc!r}"
            report.errors.append(f"subscription {sub.sub_id}: {text}")
            failed.append((sub, text))
            continue
        if events:
            per_email[sub.email].append((sub, _section(ctx, sub, events, base_url)))
        else:
            quiet.append(sub)
    with db.transaction() as conn:
        conn.executemany(
            "UPDATE alert_subscriptions SET last_error = ? WHERE sub_id = ?",
            [(text, sub.sub_id) for sub, text in failed],
        )
        conn.executemany(
            "UPDATE alert_subscriptions SET last_event_id = ?, last_error = NULL "
            "WHERE sub_id = ? AND last_event_id = ?",
            [(report.up_to_event, sub.sub_id, sub.last_event_id) for sub in quiet],
        )
        for email, items in per_email.items():
            if _unmoved(conn, [sub for sub, _ in items]):
                _queue(conn, email, items, report, now)
    return report


def _unmoved(conn, subs: list[Subscription]) -> bool:
    """True when no other planner moved these cursors meanwhile (else the next run sends)."""
    for sub in subs:
        row = conn.execute(
            "SELECT last_event_id, status FROM alert_subscriptions WHERE sub_id = ?", (sub.sub_id,)
        ).fetchone()
        if row is None or row[0] != sub.last_event_id:
            return False
    return True


def _queue(conn, email: str, items, report: PlanReport, now: datetime) -> None:
    subject, body = digest([section for _, section in items])
    headers = {}
    if len(items) == 1:
        headers["List-Unsubscribe"] = f"<{items[0][1].unsubscribe_url}>"
    msg_id = enqueue(
        conn, kind="digest", recipient=email, subject=subject, body=body, headers=headers, now=now
    )
    for sub, _ in items:
        conn.execute(
            "INSERT INTO alert_message_parts (msg_id, sub_id, first_event_id, last_event_id) "
            "VALUES (?, ?, ?, ?)",
            (msg_id, sub.sub_id, sub.last_event_id + 1, report.up_to_event),
        )
        conn.execute(
            "UPDATE alert_subscriptions SET last_event_id = ?, last_sent_at = ?, last_error = NULL "
            "WHERE sub_id = ?",
            (report.up_to_event, iso(now), sub.sub_id),
        )
    report.with_news += len(items)
    report.messages += 1
