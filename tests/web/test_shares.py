"""Share links of private notes: listed (prefix only; the token stays hashed), copied at
creation only, revoked (410), expiring (410), last use recorded, and an honest wait message
during the guessing wait (never "wrong passcode" when the passcode was not checked)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from trialscout.store.db import Database
from trialscout.web import records, records_shares, viewmodels

from .conftest import csrf_of

TRIAL = "NCT07553767"


def _note_and_share(client, passcode="harbour-22", expires="7") -> tuple[str, str]:
    token = csrf_of(client, f"/trials/{TRIAL}")
    client.post(f"/trials/{TRIAL}/notes", data={"csrf_token": token, "body": "bring scans"})
    data = {"csrf_token": token, "passcode": passcode, "expires": expires}
    page = client.post(f"/trials/{TRIAL}/share", data=data)
    assert page.status_code == 200, page.text[:300]
    link = re.search(r'id="share-link" href="([^"]+)"', page.text).group(1)
    return link.replace("http://testserver", ""), page.text


def test_new_link_is_shown_once_in_a_field_and_listed_by_prefix(client):
    path, page = _note_and_share(client)
    token = path.rsplit("/", 1)[1]
    assert (
        f'id="share-link-field" class="copy-field" value="http://testserver{path}" readonly' in page
    )
    assert 'data-copy="share-link-field"' in page  # the copy button (shown by the script)
    later = client.get(f"/trials/{TRIAL}").text
    assert token not in later  # after a reload only the prefix is shown
    assert f"…/shared/{token[:6]}…" in later and "Make a new link" in later
    assert re.search(r"expires \d{4}-\d\d-\d\d", later) and "never opened" in later


def test_revoked_link_answers_410_with_a_plain_message(client, other_client, app):
    path, _ = _note_and_share(client)
    (link,) = records_shares.list_shares(app.state.db, _owner(app, client), TRIAL)
    token = csrf_of(other_client, path)
    # another visitor cannot revoke it
    assert (
        other_client.post(f"/shares/{link.share_id}/revoke", data={"csrf_token": token}).status_code
        == 404
    )
    own = csrf_of(client, f"/trials/{TRIAL}")
    response = client.post(f"/shares/{link.share_id}/revoke", data={"csrf_token": own},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and response.headers["location"].endswith("#share-links")
    gone = other_client.get(path)
    assert gone.status_code == 410 and "revoked by the person who made it" in gone.text
    posted = other_client.post(path, data={"csrf_token": token, "passcode": "harbour-22"})
    assert posted.status_code == 410 and "bring scans" not in posted.text
    listed = client.get(f"/trials/{TRIAL}").text
    assert "Revoked" in listed and f'action="/shares/{link.share_id}/revoke"' not in listed


def _owner(app, client) -> str:
    from trialscout.web.security import VISITOR_COOKIE, unsign

    return unsign(app.state.secret, client.cookies.get(VISITOR_COOKIE))


def test_expired_link_answers_410_and_last_use_is_recorded(tmp_path):
    with Database(tmp_path / "s.db") as db:
        token = records.create_share(db, "owner", "NCT1", "right-code", 3600, now=1000.0)
        assert records.check_share(db, token, "right-code", now=2000.0, client="a").ok
        (link,) = records_shares.list_shares(db, "owner")
        assert link.last_used_at and link.prefix == token[:6] and link.state(now=2000.0) == "active"
        late = records.check_share(db, token, "right-code", now=4601.0, client="a")
        assert not late.ok and late.gone == records.GONE_EXPIRED
        assert records.share_state(db, token, now=4601.0) == records.GONE_EXPIRED
        assert records_shares.list_shares(db, "someone-else") == []
        assert records_shares.revoke_share(db, "someone-else", link.share_id) is None


def test_a_right_passcode_during_the_wait_is_not_called_wrong(client, app):
    path, _ = _note_and_share(client)
    guesser = TestClient(app, client=("203.0.113.9", 4000))
    token = csrf_of(guesser, path)
    for i in range(3):
        wrong = guesser.post(path, data={"csrf_token": token, "passcode": f"guess-{i}"})
        assert wrong.status_code == 401 and "Wrong passcode" in wrong.text
    waiting = guesser.post(path, data={"csrf_token": token, "passcode": "harbour-22"})
    assert waiting.status_code == 429 and "Wrong passcode" not in waiting.text
    assert re.search(r"Too many tries: wait \d+ seconds? and try again", waiting.text)
    assert int(waiting.headers["Retry-After"]) >= 1


def test_wait_message_in_seconds_then_minutes():
    assert viewmodels.wait_message(1).startswith("Too many tries: wait 1 second and")
    assert "wait 45 seconds" in viewmodels.wait_message(45)
    assert "wait 1 minute and" in viewmodels.wait_message(60)
    assert "wait 15 minutes" in viewmodels.wait_message(900)
    assert "wait 2 minutes" in viewmodels.wait_message(61)


def test_expiry_must_be_one_of_the_choices(client):
    token = csrf_of(client, f"/trials/{TRIAL}")
    client.post(f"/trials/{TRIAL}/notes", data={"csrf_token": token, "body": "x"})
    data = {"csrf_token": token, "passcode": "harbour-22", "expires": "9999"}
    page = client.post(f"/trials/{TRIAL}/share", data=data)
    assert page.status_code == 400 and "Choose when the link expires" in page.text
