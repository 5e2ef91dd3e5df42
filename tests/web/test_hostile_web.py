"""Issue 12, web: numbers that are not finite, links from Host headers, forwarded addresses,
guessing limits that lock the owner out, enumeration, racing counters, cookies, logout."""

from __future__ import annotations

import statistics
import threading
import time

import pytest
from fastapi.testclient import TestClient

from trialscout.alerts.outbox import list_messages
from trialscout.store.db import Database
from trialscout.web import create_app, lockout, records

from .conftest import COORDINATOR, csrf_of, settings

TRIAL = "NCT07553767"


@pytest.mark.parametrize(
    "url",
    [
        "/?age=inf",
        "/?radius_km=1e999&near=Ningbo",
        "/locations?radius_km=inf",
        "/?age=nan",
        "/api/v1/search?age=inf",
        "/api/v1/search?radius_km=1e999&near=Ningbo",
    ],
)
def test_non_finite_numbers_are_400_on_pages_and_api(read_client, url):
    response = read_client.get(url)
    assert response.status_code == 400
    assert "out of range" in response.text


def _subscribe(client: TestClient) -> object:
    token = csrf_of(client, f"/trials/{TRIAL}")
    data = {"csrf_token": token, "email": "fan@example.org", "kind": "trial"}
    return client.post(f"/trials/{TRIAL}/subscribe", data=data)


def test_mail_links_never_come_from_the_host_header(web_db_path):
    app = create_app(str(web_db_path), settings(base_url="https://trials.example.org"))
    try:
        evil = TestClient(app, base_url="http://evil.example")
        assert _subscribe(evil).status_code == 200
        (mail,) = list_messages(app.state.db.conn)
        assert "https://trials.example.org/alerts/confirm?token=" in mail.body
        assert "evil.example" not in mail.body
    finally:
        app.state.db.close()


def test_no_mail_without_a_configured_base_url(web_db_path):
    app = create_app(str(web_db_path), settings(base_url=None))
    try:
        page = _subscribe(TestClient(app, base_url="http://evil.example"))
        assert page.status_code == 503 and "TRIALSCOUT_BASE_URL" in page.text
        assert list_messages(app.state.db.conn) == []
    finally:
        app.state.db.close()


def test_share_links_use_the_configured_address(web_db_path):
    app = create_app(str(web_db_path), settings(base_url="https://trials.example.org"))
    try:
        client = TestClient(app, base_url="http://evil.example")
        token = csrf_of(client, f"/trials/{TRIAL}")
        page = client.post(
            f"/trials/{TRIAL}/share", data={"csrf_token": token, "passcode": "harbour-22"}
        )
        assert 'href="https://trials.example.org/shared/' in page.text
        assert "evil.example/shared" not in page.text
    finally:
        app.state.db.close()


def _login(client: TestClient, password: str, user: str = COORDINATOR[0]) -> int:
    token = csrf_of(client, "/coordinator/login")
    data = {"csrf_token": token, "username": user, "password": password}
    return client.post("/coordinator/login", data=data, follow_redirects=False).status_code


def test_guessing_from_elsewhere_never_locks_the_coordinator_out(app):
    attacker = TestClient(app, client=("203.0.113.9", 1))
    codes = [_login(attacker, f"wrong-{i}") for i in range(8)]
    assert codes[:3] == [401, 401, 401] and 429 in codes
    owner = TestClient(app, client=("198.51.100.7", 1))
    assert _login(owner, COORDINATOR[1]) == 303


def test_the_owner_can_clear_the_global_cap(db):
    records.set_coordinator(db, "ann", "long-enough-1")
    for i in range(lockout.GLOBAL_FAILURES):
        records.check_coordinator(db, "ann", "x", now=1000.0, client=f"10.0.{i // 250}.{i % 250}")
    with pytest.raises(records.RateLimited):
        records.check_coordinator(db, "ann", "long-enough-1", now=1001.0, client="192.0.2.1")
    records.set_coordinator(db, "ann", "long-enough-1")  # `trialscout coordinator-add` again
    assert records.check_coordinator(db, "ann", "long-enough-1", now=1002.0, client="192.0.2.1")


def test_the_share_owner_clears_the_global_cap(db):
    token = records.create_share(db, "owner-visitor", "NCT1", "right-code")
    for i in range(lockout.GLOBAL_FAILURES):
        records.check_share(db, token, "bad", now=1000.0, client=f"10.1.{i // 250}.{i % 250}")
    blocked = records.check_share(db, token, "right-code", now=1001.0, client="192.0.2.1")
    assert not blocked.ok and blocked.retry_after_s
    mine = records.check_share(
        db, token, "right-code", now=1001.0, client="192.0.2.1", visitor="owner-visitor"
    )
    assert mine.ok


def _timed_check(db, user: str, client: str) -> float:
    """CPU time of one check: the key derivation is CPU work, and CPU time (unlike wall time)
    does not grow when other jobs load the machine, so the comparison is not flaky."""
    started = time.thread_time()
    records.check_coordinator(db, user, "a-wrong-password", client=client)
    return time.thread_time() - started


def test_unknown_and_real_names_answer_alike(db):
    records.set_coordinator(db, "ann", "long-enough-1")
    real = [_timed_check(db, "ann", f"192.0.2.{i}") for i in range(5)]
    unknown = [_timed_check(db, "nobody", f"192.0.2.{i}") for i in range(5)]
    assert 0.6 < min(unknown) / min(real) < 1.6, (
        statistics.median(real),
        statistics.median(unknown),
    )
    outcomes = {}
    for user in ("ann", "nobody"):
        codes = []
        for _ in range(lockout.FREE_GUESSES + 1):
            try:
                codes.append(records.check_coordinator(db, user, "x", client="198.51.100.1"))
            except records.RateLimited:
                codes.append(429)
        outcomes[user] = codes
    assert outcomes["ann"] == outcomes["nobody"] == [False] * lockout.FREE_GUESSES + [429]


def test_concurrent_guesses_cannot_overrun_the_limit(tmp_path):
    """Forty guesses at once on separate connections (as two workers would make them)."""
    path = tmp_path / "race.db"
    with Database(path) as db:
        token = records.create_share(db, "owner", "NCT1", "right-code")
    evaluated, barrier = [], threading.Barrier(40)

    def guess(i: int) -> None:
        with Database(path) as own:
            barrier.wait()
            check = records.check_share(own, token, f"bad-{i}", client="203.0.113.9")
            if not check.retry_after_s:
                evaluated.append(i)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(evaluated) == lockout.FREE_GUESSES


def test_cookies_are_secure_over_https(app):
    response = TestClient(app, base_url="https://testserver").get("/")
    assert "secure" in response.headers["set-cookie"].lower()
    plain = TestClient(app).get("/")
    assert "secure" not in plain.headers["set-cookie"].lower()


def test_logout_revokes_the_session_on_the_server(app):
    client = TestClient(app)
    assert _login(client, COORDINATOR[1]) == 303
    stolen = client.cookies.get("ts_coord")
    token = csrf_of(client, "/coordinator")
    client.post("/coordinator/logout", data={"csrf_token": token})
    thief = TestClient(app, cookies={"ts_coord": stolen})
    assert thief.get("/coordinator", follow_redirects=False).status_code == 303
