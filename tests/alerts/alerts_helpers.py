"""Helpers for the alerts tests: a recording SMTP handler, ingest, derived record versions."""

from __future__ import annotations

import asyncio
import email
import json
import socket
import threading
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from trialscout.alerts.changes import record_changes
from trialscout.ingest.load import IngestReport, ingest_records
from trialscout.registry.sources import read_path
from trialscout.store.db import Database

ALERTS_DATA = Path(__file__).parent.parent / "data" / "alerts"


class Recorder:
    """aiosmtpd handler that keeps what it accepted and can fail or stall on demand."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.fail_after: int | None = None  # accept this many, then answer 451 to the rest
        self.stall_at: int | None = None  # stall the Nth DATA until `release` is set, then 451
        self.seen = 0
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.refuse: set[str] = set()  # addresses answered with 550 at RCPT

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.seen += 1
        if self.stall_at is not None and self.seen == self.stall_at:
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 20)
            return "451 4.3.0 server went away"
        if self.fail_after is not None and len(self.messages) >= self.fail_after:
            return "451 4.3.0 temporary failure, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ingest(db: Database, path: Path, hooks=None) -> IngestReport:
    report = ingest_records(db, read_path(path), hooks=hooks or [record_changes])
    assert report.rejected == 0, report.rejections
    return report


def v2_earlier_version(tmp_path: Path) -> Path:
    """An earlier version of the real NCT05923281 record: not yet recruiting, one site fewer,
    one site not yet recruiting, an earlier update date (the real file is the later version)."""
    study = json.loads((ALERTS_DATA / "NCT05923281.json").read_text())
    proto = study["protocolSection"]
    proto["statusModule"]["overallStatus"] = "NOT_YET_RECRUITING"
    proto["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2023-06-21"
    locations = proto["contactsLocationsModule"]["locations"]
    locations[1]["status"] = "NOT_YET_RECRUITING"
    del locations[0]
    path = tmp_path / "NCT05923281_earlier.json"
    path.write_text(json.dumps(study))
    return path
