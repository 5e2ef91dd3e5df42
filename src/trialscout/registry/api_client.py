"""Live ClinicalTrials.gov API v2 client: pages with `pageToken`, retries with backoff, and
keeps a polite pace between requests. Only the standard library, so the core stays light."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from trialscout.registry.limits import LimitExceeded, check_json, read_whole
from trialscout.registry.sources import RawRecord, SourceRecord, _fail, convert

DEFAULT_URL = "https://clinicaltrials.gov/api/v2/studies"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class ApiError(RuntimeError):
    """The API could not be read after all retries, or answered something unusable."""


@dataclass(slots=True)
class ApiClient:
    base_url: str = DEFAULT_URL
    page_size: int = 100
    min_interval: float = 0.5  # seconds between requests: the registry asks for moderation
    retries: int = 4
    backoff: float = 1.0  # first retry waits this long, then doubles
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    _last: float = 0.0

    def studies(self, query: str, max_pages: int | None = None) -> Iterator[SourceRecord]:
        """Every study the query matches, page after page, as `SourceRecord`s."""
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=False))
        if not params:
            raise ApiError(f"empty API query {query!r}; try 'query.cond=hepatocellular carcinoma'")
        params.setdefault("pageSize", str(self.page_size))
        params["format"] = "json"
        token, page = None, 0
        while True:
            if token:
                params["pageToken"] = token
            url = f"{self.base_url}?{urllib.parse.urlencode(params)}"
            data = self._get_json(url)
            studies = data.get("studies")
            if not isinstance(studies, list):
                yield _fail(url, None, "studies", "API page has no 'studies' list")
                return
            for i, study in enumerate(studies):
                yield convert(RawRecord(f"api page {page + 1}#{i}", "json", study))
            page += 1
            token = data.get("nextPageToken")
            if not token or (max_pages is not None and page >= max_pages):
                return

    def _get_json(self, url: str) -> dict:
        wait = self.backoff
        for attempt in range(self.retries + 1):
            self._pace()
            try:
                request = urllib.request.Request(
                    url, headers={"Accept": "application/json", "User-Agent": "trialscout"}
                )
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = _bounded_answer(url, response)
                try:
                    data = json.loads(body)
                except ValueError as exc:
                    raise ApiError(f"{url}: answer is not JSON ({str(exc)[:200]})") from None
                if not isinstance(data, dict):
                    raise ApiError(f"{url}: expected a JSON object page")
                return data
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUSES or attempt == self.retries:
                    raise ApiError(f"{url}: HTTP {exc.code} {exc.reason}") from None
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                delay = float(retry_after) if retry_after and retry_after.isdigit() else wait
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt == self.retries:
                    raise ApiError(f"{url}: cannot reach the API ({exc})") from None
                delay = wait
            self.sleep(delay)
            wait *= 2
        raise ApiError(f"{url}: gave up")  # pragma: no cover - loop always returns or raises

    def _pace(self) -> None:
        gap = time.monotonic() - self._last
        if self._last and gap < self.min_interval:
            self.sleep(self.min_interval - gap)
        self._last = time.monotonic()


def _bounded_answer(url: str, response) -> bytes:
    """The page's bytes within the record limits (depth, size): a hostile or broken server
    gets a clear error, not a RecursionError or a gigabyte in memory."""
    try:
        body = read_whole(response, "an API answer")
        check_json(body, whole=True)
    except LimitExceeded as exc:
        raise ApiError(f"{url}: answer refused: {exc}") from None
    return body
