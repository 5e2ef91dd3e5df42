"""`alerts run`: plan digests, then deliver the outbox (what a cron job or systemd timer calls)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from trialscout.alerts.delivery import DeliveryReport, SmtpConfig, deliver_pending
from trialscout.alerts.lock import run_lock
from trialscout.alerts.planner import PlanReport, plan_digests
from trialscout.store.db import Database


@dataclass(slots=True)
class RunReport:
    plan: PlanReport
    delivery: DeliveryReport

    def as_dict(self) -> dict:
        return {"plan": asdict(self.plan), "delivery": asdict(self.delivery)}


def run_alerts(
    db: Database,
    config: SmtpConfig,
    *,
    now: datetime | None = None,
    base_url: str | None = None,
) -> RunReport:
    """Plan then deliver, holding the run lock (RunInProgress if another run holds it)."""
    now = now or datetime.now(UTC)
    with run_lock(db, now):
        plan = plan_digests(db, now=now, base_url=base_url)
        return RunReport(plan, deliver_pending(db, config, now=now))
