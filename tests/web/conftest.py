"""Web fixtures: an app on a private copy of the demo database, and visitors with their own
cookies (each TestClient keeps its own cookie jar, so two clients are two visitors)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trialscout.web import WebSettings, create_app

COORDINATOR = ("coord", "coord-pass-123")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def settings(**kw) -> WebSettings:
    base = {
        "secret": "test-secret",
        "coordinator_user": COORDINATOR[0],
        "coordinator_password": COORDINATOR[1],
        "base_url": "http://testserver",  # links in mail: configured, never the Host header
    }
    return WebSettings(**(base | kw))


@pytest.fixture
def web_db_path(demo_db_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "web.db"
    shutil.copy(demo_db_path, path)
    return path


@pytest.fixture
def app(web_db_path: Path):
    application = create_app(str(web_db_path), settings())
    yield application
    application.state.db.close()


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)  # no lifespan: the fixture owns and closes the database


@pytest.fixture
def other_client(app) -> TestClient:
    """A second visitor on the same server."""
    return TestClient(app)  # no lifespan: the fixture owns and closes the database


@pytest.fixture(scope="session")
def read_app(demo_db_path: Path, tmp_path_factory):
    """One app for read-only route tables (faster than an app per test)."""
    path = tmp_path_factory.mktemp("webro") / "web.db"
    shutil.copy(demo_db_path, path)
    application = create_app(str(path), settings())
    yield application
    application.state.db.close()


@pytest.fixture
def read_client(read_app) -> TestClient:
    return TestClient(read_app)


def csrf_of(client: TestClient, url: str) -> str:
    """Load a page as this visitor and return the form token it was given."""
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    match = CSRF.search(response.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)
