"""Message text: the confirmation mail and the digest that names each change in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trialscout.alerts.subscriptions import Subscription

MAX_TRIALS_PER_SECTION = 50


@dataclass(slots=True)
class TrialChanges:
    trial_id: str
    title: str
    url: str
    lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DigestSection:
    """What one subscription has to report in this message."""

    target: str
    unsubscribe_url: str
    feed_url: str | None
    trials: list[TrialChanges] = field(default_factory=list)


def confirmation(sub: Subscription, confirm_url: str, unsubscribe_url: str) -> tuple[str, str]:
    subject = "Confirm your trialscout alert"
    body = (
        "Someone (hopefully you) asked trialscout to send alerts to this address for:\n"
        f"  {sub.target} ({sub.frequency})\n\n"
        f"To start receiving them, confirm here:\n  {confirm_url}\n\n"
        "If you did not ask for this, ignore this message: nothing will be sent.\n"
        f"Unsubscribe: {unsubscribe_url}\n"
    )
    return subject, body


def digest(sections: list[DigestSection]) -> tuple[str, str]:
    trials = sum(len(s.trials) for s in sections)
    if len(sections) == 1 and len(sections[0].trials) == 1:
        t = sections[0].trials[0]
        subject = f"trialscout: {t.trial_id} {t.lines[0] if t.lines else 'changed'}"
    else:
        subject = f"trialscout: updates on {trials} trial{'s' if trials != 1 else ''}"
    parts = []
    for section in sections:
        parts.append(_section(section))
    body = "\n\n".join(parts) + "\n\n-- \nSent by trialscout. Registry data may lag the sites; "
    body += "always confirm details with the study team.\n"
    return subject[:200], body


def _section(section: DigestSection) -> str:
    lines = [f"Your alert: {section.target}", "=" * min(70, len(section.target) + 12)]
    shown = section.trials[:MAX_TRIALS_PER_SECTION]
    for t in shown:
        lines.append("")
        lines.append(f"{t.trial_id}: {t.title}")
        lines.extend(f"  - {line}" for line in t.lines)
        lines.append(f"  {t.url}")
    hidden = len(section.trials) - len(shown)
    if hidden > 0:
        lines.append(f"\n... and {hidden} more trials; see the feed or the website.")
    lines.append("")
    if section.feed_url:
        lines.append(f"Feed: {section.feed_url}")
    lines.append(f"Unsubscribe from this alert: {section.unsubscribe_url}")
    return "\n".join(lines)
