"""A real server (uvicorn on 127.0.0.1, a free port, the demo data) and a real Chromium.

Debian's chromium is driven by pip `playwright` (`playwright install` needs the internet, so it
is never used). Screenshots go to $TRIALSCOUT_SCREENSHOTS when set (CI keeps them as
artifacts), else to a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
COORDINATOR = ("coord", "coord-pass-123")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(demo_db_path: Path, tmp_path_factory):
    uvicorn = pytest.importorskip("uvicorn")
    from trialscout.web import WebSettings, create_app

    path = tmp_path_factory.mktemp("browser") / "web.db"
    shutil.copy(demo_db_path, path)
    port = _free_port()
    settings = WebSettings(
        secret="browser-test",
        coordinator_user=COORDINATOR[0],
        coordinator_password=COORDINATOR[1],
        base_url=f"http://127.0.0.1:{port}",  # links in mail: configured, never the Host header
    )
    app = create_app(str(path), settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("TRIALSCOUT_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
