"""Storing a contact request: the request, the pre-screen answers the person chose to send,
and the coordinator's e-mail notice, all in one transaction.

The notice goes into the alerts outbox (`alerts.contact_notice`), so `trialscout alerts run`
delivers it once, with retries, like every alert. It is queued only when the server has a
coordinator address (TRIALSCOUT_COORDINATOR_EMAIL) and a public address for the link
(TRIALSCOUT_BASE_URL). It names the trial, never the person or their answers.
"""

from __future__ import annotations

import logging
from typing import Any

from trialscout.registry.model import Trial
from trialscout.store.db import Database
from trialscout.web import records, services
from trialscout.web.questionnaire import Question, read_answer

log = logging.getLogger(__name__)

CONSENT_TEXT = (
    "Send my answers to the questions above with this request. The study team will see them "
    "next to my request; they are kept with it and used for nothing else."
)
MAX_ANSWER = 200


def prescreen_answers(questions: list[Question], form: dict[str, str]) -> list[dict[str, str]]:
    """The answered questions as the person saw them (question, answer with its unit); only
    questions of this trial's questionnaire, answers that read as valid, each bounded."""
    out = []
    for q in questions:
        raw = (form.get("a:" + q.key) or "").strip()[:MAX_ANSWER]
        if not raw:
            continue
        _value, error = read_answer(q, raw)
        if error:
            continue
        shown = {"yes": "Yes", "no": "No"}.get(raw, raw)
        if q.kind == "number" and q.unit_label and not any(c.isalpha() for c in raw):
            shown = f"{raw} {q.unit_label}"
        out.append({"question": q.label, "answer": shown})
    return out


def store_request(
    db: Database,
    settings: Any,
    visitor_id: str,
    trial: Trial,
    clean: dict[str, Any],
    answers: list[dict[str, str]] | None = None,
) -> int:
    """Insert the request (+ answers if sent, + the coordinator notice) atomically."""
    notify = _notifier(settings)
    with db.transaction() as conn:
        request_id = records.add_contact_request(db, visitor_id, trial.trial_id, clean)
        if answers:
            records.add_prescreen(db, request_id, answers, CONSENT_TEXT)
        if notify is not None:
            notify(
                conn,
                recipient=settings.coordinator_email,
                trial_id=trial.trial_id,
                title=trial.title,
                base_url=settings.base_url,
            )
    return request_id


def _notifier(settings: Any):
    """The alerts stage's queueing function, or None when notices are off on this server."""
    if not (getattr(settings, "coordinator_email", None) and settings.base_url):
        return None
    try:
        return services.contact_notifier()
    except services.StageUnavailable as exc:
        log.error("coordinator notice off: %s", exc.stage)
        return None
