"""Alerts fixtures: a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from alerts_helpers import ALERTS_DATA, Recorder, free_port

from trialscout.alerts.delivery import SmtpConfig


@pytest.fixture
def smtp():
    """(recorder, SmtpConfig) for a real SMTP server on 127.0.0.1."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, SmtpConfig(host="127.0.0.1", port=port, timeout=10)
    finally:
        recorder.release.set()
        controller.stop()


@pytest.fixture
def alerts_data() -> Path:
    return ALERTS_DATA
