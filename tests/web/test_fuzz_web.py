"""Fuzz tier (issue 12), the web app: hostile query parameters on the search pages and the API,
hostile form fields on every visitor form. Never a 500, a bounded time, and a refused form
stores nothing."""

from __future__ import annotations

import contextlib
import os
import time
import tracemalloc

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialscout.web import create_app

from ..registry.fuzz_inputs import HOSTILE_TEXT
from .conftest import csrf_of
from .conftest import settings as web_settings

pytestmark = pytest.mark.fuzz
FUZZ = settings(
    max_examples=int(os.environ.get("TRIALSCOUT_FUZZ_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TRIAL = "NCT07553767"
PARAMS = ["q", "status", "phase", "study_type", "sex", "age", "healthy_volunteers",
          "has_results", "country", "city", "near", "lat", "lon", "radius_km", "sort", "limit",
          "offset", "page", "x"]  # fmt: skip
hostile = st.one_of(
    st.sampled_from([*HOSTILE_TEXT, "1e308", "-0", "0x10", "1_000", "", "٣", "NaN", "-inf"]),
    st.text(max_size=40),
)
query = st.lists(st.tuples(st.sampled_from(PARAMS), hostile), max_size=5)


@contextlib.contextmanager
def _bounded(seconds: float = 5, megabytes: int = 100):
    """Time and Python-traced memory (the app's thread included) of one request."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < seconds
    assert peak < megabytes << 20, f"{peak >> 20} MB"


@pytest.fixture(scope="module")
def fuzz_app(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("webfuzz") / "web.db"
    path.write_bytes(demo_db_path.read_bytes())
    app = create_app(str(path), web_settings(rate_limits=False))
    yield app
    app.state.db.close()


@FUZZ
@given(pairs=query, url=st.sampled_from(["/", "/locations", "/api/v1/search"]))
def test_query_parameters_never_500(fuzz_app, pairs, url):
    client = TestClient(fuzz_app, raise_server_exceptions=False)
    with _bounded():
        response = client.get(url, params=pairs)
    assert response.status_code in (200, 400, 404, 422), (pairs, response.text[:300])
    if url.startswith("/api/") and response.status_code != 200:
        assert response.json()["error"]["message"]


TABLES = ["contact_requests", "private_notes", "note_shares", "alert_subscriptions"]


def _counts(app) -> list[int]:
    return [app.state.db.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]


FORMS = {
    f"/trials/{TRIAL}/contact": ["name", "email", "phone", "language", "message", "consent"],
    f"/trials/{TRIAL}/notes": ["body", "quote"],
    f"/trials/{TRIAL}/share": ["passcode"],
    f"/trials/{TRIAL}/subscribe": ["email", "kind", "target"],
    f"/trials/{TRIAL}/eligibility": ["age", "sex", "q1", "q2"],
    "/coordinator/login": ["username", "password"],
}


@FUZZ
@given(
    url=st.sampled_from(sorted(FORMS)),
    values=st.lists(hostile, min_size=6, max_size=6),
    drop=st.sets(st.integers(0, 5)),
)
def test_forms_never_500_and_refusals_store_nothing(fuzz_app, url, values, drop):
    client = TestClient(fuzz_app, raise_server_exceptions=False)
    token = csrf_of(client, f"/trials/{TRIAL}")
    fields = {
        k: v for i, (k, v) in enumerate(zip(FORMS[url], values, strict=False)) if i not in drop
    }
    before = _counts(fuzz_app)
    with _bounded():
        response = client.post(url, data={"csrf_token": token, **fields}, follow_redirects=False)
    assert response.status_code < 500, (url, fields, response.text[:300])
    if response.status_code >= 400:
        assert _counts(fuzz_app) == before, (url, fields)
