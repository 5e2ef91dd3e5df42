"""The live API client against a real local HTTP server serving recorded API v2 pages."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from trialscout.registry.api_client import ApiClient, ApiError

REG = Path(__file__).parent.parent / "data" / "registry"
STUDIES = json.loads((REG / "ctg-studies_mixed10_2023-06-28.json").read_text())


class Recorded(BaseHTTPRequestHandler):
    """Serves the 10 real studies as API v2 pages of 4, with pageToken paging.

    `fail_first` answers 503 to the first N requests (then works), to exercise retries.
    """

    fail_first = 0
    requests: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server naming
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(self.path).query))
        type(self).requests.append(query)
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        if query.get("query.cond") == "broken":
            body = b"<html>oops</html>"
        elif query.get("query.cond") == "deep":
            body = b'{"studies": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
        else:
            size = int(query.get("pageSize", 4))
            start = int(query.get("pageToken", 0))
            page = {"studies": STUDIES[start : start + size]}
            if start + size < len(STUDIES):
                page["nextPageToken"] = str(start + size)
            body = json.dumps(page).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorded.fail_first = 0
    Recorded.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v2/studies"
    httpd.shutdown()


def client(url: str, **kw) -> ApiClient:
    return ApiClient(base_url=url, page_size=4, min_interval=0.0, backoff=0.01, **kw)


def test_pages_through_with_page_token(server):
    records = list(client(server).studies("query.cond=hepatocellular carcinoma"))
    assert [r.trial.trial_id for r in records] == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in STUDIES
    ]
    assert [q.get("pageToken") for q in Recorded.requests] == [None, "4", "8"]
    assert Recorded.requests[0]["query.cond"] == "hepatocellular carcinoma"
    assert Recorded.requests[0]["format"] == "json"


def test_retries_with_backoff_then_succeeds(server):
    Recorded.fail_first = 2
    slept: list[float] = []
    records = list(client(server, sleep=slept.append).studies("query.cond=x", max_pages=1))
    assert len(records) == 4 and len(Recorded.requests) == 3
    assert len(slept) == 2


def test_gives_up_with_a_clear_error(server):
    Recorded.fail_first = 99
    with pytest.raises(ApiError, match="HTTP 503"):
        list(client(server, retries=2, sleep=lambda s: None).studies("query.cond=x"))


def test_non_json_answer_and_unreachable_server(server):
    with pytest.raises(ApiError, match="not JSON"):
        list(client(server).studies("query.cond=broken"))
    dead = client("http://127.0.0.1:9/api", retries=1, sleep=lambda s: None, timeout=2)
    with pytest.raises(ApiError, match="cannot reach"):
        list(dead.studies("query.cond=x"))


def test_hostile_answer_is_a_clear_error(server):
    """Issue 12: 100,000 nested lists made json.loads raise RecursionError."""
    with pytest.raises(ApiError, match="nested more than"):
        list(client(server).studies("query.cond=deep"))


def test_polite_pace_between_requests(server):
    waits: list[float] = []
    # an interval longer than any request here, so every page after the first waits (the
    # recorded sleep does not really wait; a 0.3 s interval was flaky on a loaded machine)
    api = ApiClient(base_url=server, page_size=4, min_interval=30.0, sleep=waits.append)
    list(api.studies("query.cond=x"))
    assert len(waits) == 2 and all(0 < w <= 30.0 for w in waits)


def test_empty_query_is_refused():
    with pytest.raises(ApiError, match="empty API query"):
        list(ApiClient().studies(""))
