"""The coordinator's notice of a new contact request: queued in the outbox in the same
transaction as the request, delivered once by `alerts run` to a real SMTP server (aiosmtpd),
holding the trial's title and a sign-in link and nothing the person wrote."""

from __future__ import annotations

import re
import shutil

import pytest
from fastapi.testclient import TestClient

from trialscout.alerts.contact_notice import KIND, notice_text, queue_contact_notice
from trialscout.alerts.delivery import deliver_pending
from trialscout.alerts.outbox import list_messages
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore
from trialscout.web import WebSettings, create_app, records

TRIAL = "ZJCH-HAIC-2024"
PERSON = {"name": "Li Wei", "email": "li.wei@example.org", "phone": "+86 574 1234 5678",
          "message": "I had surgery in May.", "consent": "on"}  # fmt: skip


def _app(demo_db_path, tmp_path, **kw):
    path = tmp_path / "web.db"
    shutil.copy(demo_db_path, path)
    settings = {"secret": "s", "base_url": "https://trials.example.org", "coordinator_user": "coord",
                "coordinator_password": "coord-pass-123", "coordinator_email": "team@example.org"}  # fmt: skip
    return create_app(str(path), WebSettings(**(settings | kw)))


def _csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def _send_with_answers(client):
    token = _csrf(client, f"/trials/{TRIAL}/eligibility")
    data = {"csrf_token": token, "a:age": "52", "send_answers": "on", **PERSON}
    return client.post(f"/trials/{TRIAL}/eligibility/contact", data=data)


def test_a_contact_request_reaches_the_coordinator_once_without_patient_data(
    demo_db_path, tmp_path, smtp
):
    recorder, config = smtp
    app = _app(demo_db_path, tmp_path)
    try:
        client = TestClient(app)
        response = _send_with_answers(client)
        assert response.status_code == 200 and 'id="sent-answers"' in response.text
        db = app.state.db
        (queued,) = [m for m in list_messages(db.conn) if m.kind == KIND]
        assert deliver_pending(db, config).sent == 1
        assert deliver_pending(db, config).sent == 0  # exactly once
        (mail,) = recorder.to("team@example.org")
        title = TrialStore(app.state.db).get(TRIAL).trial.title
        assert mail["Subject"] == f"New contact request for {title}"
        body = mail.get_content()
        assert "https://trials.example.org/coordinator?trial=ZJCH-HAIC-2024" in body
        for private in (*PERSON.values(), "52", "surgery"):
            if private != "on":
                assert private not in body and private not in mail["Subject"], private
    finally:
        app.state.db.close()


def test_the_coordinator_sees_the_title_and_the_answers_sent(demo_db_path, tmp_path):
    app = _app(demo_db_path, tmp_path)
    try:
        client = TestClient(app)
        _send_with_answers(client)
        token = _csrf(client, f"/trials/{TRIAL}")
        client.post(f"/trials/{TRIAL}/contact", data={"csrf_token": token, **PERSON})
        coordinator = TestClient(app)
        login = {"csrf_token": _csrf(coordinator, "/coordinator/login"), "username": "coord",
                 "password": "coord-pass-123"}  # fmt: skip
        coordinator.post("/coordinator/login", data=login)
        page = coordinator.get("/coordinator").text
        title = TrialStore(app.state.db).get(TRIAL).trial.title
        assert page.count(f'<a href="/trials/{TRIAL}">{title}</a>') == 2
        assert "Pre-screen answers (1)" in page and "<dt>Your age</dt><dd>52 years</dd>" in page
        assert "No pre-screen answers sent" in page  # the plain request sent none
        assert len([m for m in list_messages(app.state.db.conn) if m.kind == KIND]) == 2
    finally:
        app.state.db.close()


def test_answers_are_stored_only_when_the_box_is_ticked(demo_db_path, tmp_path):
    app = _app(demo_db_path, tmp_path)
    try:
        client = TestClient(app)
        token = _csrf(client, f"/trials/{TRIAL}/eligibility")
        data = {"csrf_token": token, "a:age": "52", "a:not-a-question": "x", **PERSON}
        assert client.post(f"/trials/{TRIAL}/eligibility/contact", data=data).status_code == 200
        ticked = {**data, "send_answers": "on"}
        client.post(f"/trials/{TRIAL}/eligibility/contact", data=ticked)
        requests = records.all_contact_requests(app.state.db, TRIAL)
        stored = records.prescreens(app.state.db, [r.request_id for r in requests])
        assert list(stored.values()) == [[{"question": "Your age", "answer": "52 years"}]]
    finally:
        app.state.db.close()


def test_no_notice_without_a_coordinator_address(demo_db_path, tmp_path):
    app = _app(demo_db_path, tmp_path, coordinator_email=None)
    try:
        client = TestClient(app)
        assert _send_with_answers(client).status_code == 200
        assert [m for m in list_messages(app.state.db.conn) if m.kind == KIND] == []
    finally:
        app.state.db.close()


def test_a_bad_coordinator_address_is_refused_at_startup(demo_db_path, tmp_path):
    with pytest.raises(ValueError, match="TRIALSCOUT_COORDINATOR_EMAIL"):
        _app(demo_db_path, tmp_path, coordinator_email="team at example")


def test_notice_text_is_one_line_subject_and_a_sign_in_link(tmp_path):
    subject, body = notice_text("T-1", "A trial\r\nBcc: x@evil.example", "https://t.example/")
    assert "\n" not in subject and "\r" not in subject
    assert "https://t.example/coordinator?trial=T-1" in body
    db = Database(tmp_path / "a.db")
    with db.transaction() as conn, pytest.raises(ValueError, match="not a single e-mail"):
        queue_contact_notice(conn, recipient="a@b, c@d", trial_id="T-1", title="x",
                             base_url="https://t.example")  # fmt: skip
    db.close()
