"""Issue 12: per-address limits use the connecting address; X-Forwarded-For is believed only
from configured proxies. Needs the real server (`trialscout serve`): uvicorn, not the app,
decides what the client address is."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from trialscout.ingest import pipeline
from trialscout.store.db import Database

from .conftest import CSRF

REG = Path(__file__).parents[1] / "data" / "registry"
TRIAL = "NCT06171568"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    def start(**env):
        path = tmp_path / "srv.db"
        with Database(path) as db:
            pipeline.ingest_paths(db, [REG / f"{TRIAL}.json"], workers=1)
        port = _free_port()
        environ = {**os.environ, "TRIALSCOUT_SECRET_KEY": "k", **env}
        cmd = [sys.executable, "-m", "trialscout.cli", "serve", "--no-demo", "--port", str(port),
               "--db", str(path)]  # fmt: skip
        proc = subprocess.Popen(cmd, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        procs.append(proc)
        for _ in range(300):
            try:
                httpx.get(base + "/faq", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                time.sleep(0.05)
        return base

    procs: list[subprocess.Popen] = []
    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def _contact(base: str, forwarded: str) -> int:
    """One contact request as a brand-new visitor claiming to come from `forwarded`."""
    with httpx.Client(base_url=base, headers={"X-Forwarded-For": forwarded}) as client:
        token = CSRF.search(client.get(f"/trials/{TRIAL}").text).group(1)
        data = {"csrf_token": token, "name": "A B", "email": "a@example.org", "consent": "on"}
        return client.post(f"/trials/{TRIAL}/contact", data=data).status_code


def test_rotating_x_forwarded_for_does_not_dodge_the_per_address_limit(server):
    base = server()
    codes = [_contact(base, f"198.51.100.{i}") for i in range(24)]
    assert codes[:20] == [200] * 20 and codes[20:] == [429] * 4


def test_a_configured_proxy_is_believed(server):
    base = server(TRIALSCOUT_TRUSTED_PROXIES="127.0.0.1")
    codes = [_contact(base, f"198.51.100.{i}") for i in range(22)]
    assert codes == [200] * 22  # each forwarded address has its own allowance
