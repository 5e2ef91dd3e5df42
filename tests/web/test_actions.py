"""Visitor actions end to end in process, state checked through the library: contact requests,
the coordinators' page, private notes and share links, subscriptions, CSRF, rate limits."""

from __future__ import annotations

import re

from trialscout.web import records

from .conftest import COORDINATOR, csrf_of

TRIAL = "NCT07553767"
GOOD = {
    "name": "Li Wei",
    "email": "li.wei@example.org",
    "phone": "+86 574 1234 5678",
    "language": "Chinese",
    "message": "I had surgery in May.",
    "consent": "on",
}


def _contact(client, data, trial=TRIAL):
    token = csrf_of(client, f"/trials/{trial}")
    return client.post(f"/trials/{trial}/contact", data={"csrf_token": token, **data})


def test_contact_request_stored_and_counted(client, app):
    response = _contact(client, GOOD)
    assert response.status_code == 200 and "Thank you, Li Wei" in response.text
    (stored,) = records.all_contact_requests(app.state.db, TRIAL)
    assert stored.email == GOOD["email"] and stored.status == "new"
    assert "1 patient applied" in client.get(f"/trials/{TRIAL}").text


def test_contact_form_validation_names_each_field(client, app):
    bad = {"name": "", "email": "not-an-email", "phone": "call me", "consent": ""}
    response = _contact(client, bad)
    assert response.status_code == 400
    for words in ("give your name", "email address", "digits", "agree"):
        assert words in response.text
    assert records.all_contact_requests(app.state.db) == []


def test_contact_is_rate_limited(client, app):
    for _ in range(5):
        assert _contact(client, GOOD).status_code == 200
    response = _contact(client, GOOD)
    assert response.status_code == 429 and response.headers["retry-after"]
    assert len(records.all_contact_requests(app.state.db)) == 5


def test_forms_need_the_visitors_csrf_token(client, other_client):
    no_token = client.post(f"/trials/{TRIAL}/contact", data=GOOD)
    assert no_token.status_code == 403
    foreign = csrf_of(other_client, f"/trials/{TRIAL}")
    client.get("/")
    assert (
        client.post(f"/trials/{TRIAL}/notes", data={"csrf_token": foreign, "body": "x"}).status_code
        == 403
    )


def test_coordinator_page_needs_login(client, other_client, app):
    _contact(client, GOOD)
    assert other_client.get("/coordinator", follow_redirects=False).status_code == 303
    token = csrf_of(other_client, "/coordinator/login")
    wrong = {"csrf_token": token, "username": COORDINATOR[0], "password": "wrong-password"}
    assert other_client.post("/coordinator/login", data=wrong).status_code == 401
    right = {"csrf_token": token, "username": COORDINATOR[0], "password": COORDINATOR[1]}
    page = other_client.post("/coordinator/login", data=right)
    assert page.status_code == 200 and "li.wei@example.org" in page.text
    assert "Li Wei" in page.text and "I had surgery in May." in page.text
    # the visitor who sent it cannot open the coordinators' page
    assert client.get("/coordinator", follow_redirects=False).status_code == 303


def test_coordinator_marks_request(other_client, client, app):
    _contact(client, GOOD)
    token = csrf_of(other_client, "/coordinator/login")
    login = {"csrf_token": token, "username": COORDINATOR[0], "password": COORDINATOR[1]}
    other_client.post("/coordinator/login", data=login)
    (req,) = records.all_contact_requests(app.state.db)
    other_client.post(
        f"/coordinator/requests/{req.request_id}/status",
        data={"csrf_token": token, "status": "contacted"},
    )
    assert records.all_contact_requests(app.state.db)[0].status == "contacted"
    # without the coordinator cookie the same form is refused
    refused = client.post(
        f"/coordinator/requests/{req.request_id}/status",
        data={"csrf_token": csrf_of(client, f"/trials/{TRIAL}"), "status": "closed"},
    )
    assert refused.status_code == 401


def _add_note(client, body, quote=None):
    token = csrf_of(client, f"/trials/{TRIAL}")
    data = {"csrf_token": token, "body": body, "quote": quote or ""}
    return client.post(f"/trials/{TRIAL}/notes", data=data)


def test_notes_are_private_to_their_visitor(client, other_client, app):
    assert _add_note(client, "ask about <b>interferon</b> dose", "peginterferon").status_code == 200
    mine = client.get(f"/trials/{TRIAL}").text
    assert "ask about &lt;b&gt;interferon&lt;/b&gt; dose" in mine  # stored as typed, escaped
    theirs = other_client.get(f"/trials/{TRIAL}").text
    assert "interferon&lt;/b&gt;" not in theirs
    note_id = int(re.search(r"/notes/(\d+)/delete", mine).group(1))
    token = csrf_of(other_client, f"/trials/{TRIAL}")
    stolen = other_client.post(f"/notes/{note_id}/delete", data={"csrf_token": token})
    assert stolen.status_code == 404
    assert len(records.list_notes(app.state.db, _visitor(client, app), TRIAL)) == 1


def _visitor(client, app) -> str:
    from trialscout.web.security import unsign

    return unsign(app.state.secret, client.cookies.get("ts_visitor"))


def _share(client, passcode="harbour-22"):
    token = csrf_of(client, f"/trials/{TRIAL}")
    page = client.post(f"/trials/{TRIAL}/share", data={"csrf_token": token, "passcode": passcode})
    assert page.status_code == 200, page.text[:300]
    return re.search(r'id="share-link" href="([^"]+)"', page.text).group(1)


def test_share_link_with_passcode(client, other_client, app):
    _add_note(client, "bring scans to the visit")
    link = _share(client)
    path = link.replace("http://testserver", "")
    assert "bring scans" not in other_client.get(path).text
    token = csrf_of(other_client, path)
    wrong = other_client.post(path, data={"csrf_token": token, "passcode": "nope-nope"})
    assert wrong.status_code == 401 and "bring scans" not in wrong.text
    right = other_client.post(path, data={"csrf_token": token, "passcode": "harbour-22"})
    assert right.status_code == 200 and "bring scans" in right.text
    # the link token and the passcode are stored hashed only
    dump = "\n".join(app.state.db.conn.iterdump())
    assert path.rsplit("/", 1)[1] not in dump and "harbour-22" not in dump


def test_share_link_slows_a_guesser_but_not_the_recipient(client, app):
    from fastapi.testclient import TestClient

    _add_note(client, "a note")
    path = _share(client).replace("http://testserver", "")
    guesser = TestClient(app, client=("203.0.113.9", 4000))
    token = csrf_of(guesser, path)
    codes = [
        guesser.post(path, data={"csrf_token": token, "passcode": f"guess-{i}"}) for i in range(3)
    ]
    assert [r.status_code for r in codes] == [401, 401, 401]
    waiting = guesser.post(path, data={"csrf_token": token, "passcode": "harbour-22"})
    assert waiting.status_code == 429 and "Too many tries: wait" in waiting.text
    recipient = TestClient(app, client=("198.51.100.7", 4000))
    token = csrf_of(recipient, path)
    opened = recipient.post(path, data={"csrf_token": token, "passcode": "harbour-22"})
    assert opened.status_code == 200 and "a note" in opened.text


def test_unknown_share_link_is_404(read_client):
    assert read_client.get("/shared/not-a-real-token").status_code == 404


def test_subscribe_to_trial_changes_double_opt_in(client, app):
    from trialscout.alerts.subscriptions import list_subscriptions

    token = csrf_of(client, f"/trials/{TRIAL}")
    data = {"csrf_token": token, "email": "fan@example.org", "kind": "trial"}
    page = client.post(f"/trials/{TRIAL}/subscribe", data=data)
    assert page.status_code == 200 and "confirmation link" in page.text
    subs = list_subscriptions(app.state.db)
    assert [(s.trial_id, s.status) for s in subs] == [(TRIAL, "pending")]
    assert records.visitor_subscriptions(app.state.db, _visitor(client, app))[0]["kind"] == "trial"


def test_subscribe_to_new_trials_for_condition(client, app):
    from trialscout.alerts.subscriptions import list_subscriptions

    token = csrf_of(client, f"/trials/{TRIAL}")
    data = {
        "csrf_token": token,
        "email": "fan@example.org",
        "kind": "search",
        "target": "hepatitis B",
    }
    assert client.post(f"/trials/{TRIAL}/subscribe", data=data).status_code == 200
    assert [s.search for s in list_subscriptions(app.state.db)] == ["hepatitis B"]


def test_confirm_and_unsubscribe_links(client, app):
    from trialscout.alerts.subscriptions import subscribe, unsubscribe_token

    sub = subscribe(app.state.db, "x@example.org", trial_id=TRIAL)
    assert client.get(f"/alerts/confirm/{sub.confirm_token}").status_code == 200
    assert client.get("/alerts/confirm/forged-token").status_code == 400
    token = unsubscribe_token(app.state.db, sub.sub_id)
    assert "Unsubscribed" in client.get(f"/alerts/unsubscribe/{token}").text


def test_email_links_in_alerts_format(client, app):
    """trialscout.alerts.links puts the token in the query string."""
    from trialscout.alerts.subscriptions import subscribe

    sub = subscribe(app.state.db, "y@example.org", trial_id=TRIAL)
    assert client.get("/alerts/confirm", params={"token": sub.confirm_token}).status_code == 200


def test_trial_feed_is_atom(read_client):
    response = read_client.get(f"/alerts/feeds/trial/{TRIAL}.atom")
    assert response.status_code == 200 and "atom" in response.headers["content-type"]
    assert "<feed" in response.text
    assert (
        read_client.get("/search?q=liver", follow_redirects=False).headers["location"]
        == "/?q=liver"
    )


def test_subscriptions_listed_only_to_their_visitor(client, other_client):
    token = csrf_of(client, f"/trials/{TRIAL}")
    data = {"csrf_token": token, "email": "mine@example.org", "kind": "search", "target": "HCC"}
    client.post(f"/trials/{TRIAL}/subscribe", data=data)
    assert "new trials for “HCC”" in client.get(f"/trials/{TRIAL}").text
    assert "new trials for “HCC”" not in other_client.get(f"/trials/{TRIAL}").text


def test_subscribe_form_errors(client, app):
    from trialscout.alerts.subscriptions import list_subscriptions

    token = csrf_of(client, f"/trials/{TRIAL}")
    page = client.post(f"/trials/{TRIAL}/subscribe", data={"csrf_token": token, "email": "x"})
    assert page.status_code == 400 and "does not look like an email" in page.text
    assert list_subscriptions(app.state.db) == []


def test_contact_requests_shown_only_to_their_sender(client, other_client):
    _contact(client, GOOD)
    assert "You have already sent 1 request" in client.get(f"/trials/{TRIAL}").text
    theirs = other_client.get(f"/trials/{TRIAL}").text
    assert "You have already sent" not in theirs and "li.wei@example.org" not in theirs


def test_contact_form_errors_sit_next_to_their_fields_with_focus(client):
    from .conftest import csrf_of

    token = csrf_of(client, "/trials/NCT04163237")
    page = client.post(
        "/trials/NCT04163237/contact",
        data={"csrf_token": token, "name": "", "email": "not-an-email", "consent": "on"},
    )
    assert page.status_code == 400
    name_input = page.text.split('<input name="name"')[1].split(">")[0]
    assert "autofocus" in name_input and 'aria-describedby="contact-name-error"' in name_input
    email_input = page.text.split('<input name="email" type="email" required')[1]
    assert "autofocus" not in email_input.split(">")[0]  # focus goes to the first error only
    assert 'aria-invalid="true"' in email_input.split(">")[0]
    assert ' autocomplete="email"' in email_input.split(">")[0]
    assert 'id="contact-name-error"' in page.text and 'id="contact-email-error"' in page.text


def test_forms_return_to_their_own_section(client):
    page = client.get("/trials/NCT04163237").text
    assert 'action="/trials/NCT04163237/contacts#contacts"' in page
    assert 'action="/trials/NCT04163237/contact#contact"' in page
    assert 'action="/trials/NCT04163237/subscribe#notify"' in page
