"""The one fetcher: the only code in the project that talks to the network.

Retries with exponential backoff and jitter on 429/5xx and connection errors
(urllib3 ``Retry``, which honours ``Retry-After`` up to a bound), a second layer
(tenacity) for bodies cut off after the headers arrived and for a 200 declared as
JSON whose body does not parse, a timeout on every request, a
per-host sliding-window rate limiter that also listens to
``X-RateLimit-Remaining``, and an honest User-Agent. Every body is archived,
with redacted metadata, before the caller sees it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from kb.archive import Archive, ArchivedResponse
from kb.errors import FetchError
from kb.retry_after import CappedRetry
from kb.secrets import redact_text, redact_url
from kb.settings import FetchSettings, HostPolicy

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    body: bytes
    headers: dict[str, str]
    archived: ArchivedResponse | None
    not_modified: bool = False


class _BodyError(Exception):
    """The headers arrived but the body was cut off or timed out."""


class RateLimiter:
    """Sliding-window budget per host: at most ``limit`` requests per ``window``."""

    def __init__(self, policy: HostPolicy, clock=time.monotonic, sleep=time.sleep) -> None:
        self.policy = policy
        self.sent: deque[float] = deque()
        self.blocked_until = 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.waited = 0.0

    def acquire(self) -> None:
        with self._lock:
            while True:
                now = self._clock()
                while self.sent and self.sent[0] <= now - self.policy.window:
                    self.sent.popleft()
                wait = self.blocked_until - now
                if len(self.sent) >= self.policy.limit:
                    wait = max(wait, self.sent[0] + self.policy.window - now)
                if wait <= 0:
                    self.sent.append(now)
                    return
                log.info("rate limit: waiting %.1fs", wait)
                self.waited += wait
                self._sleep(wait)

    def observe_remaining(self, remaining: int) -> None:
        """Upstream says how many requests are left; at zero, pause as the window asks."""
        if remaining > 0:
            return
        with self._lock:
            now = self._clock()
            if self.sent and len(self.sent) >= self.policy.limit:
                until = self.sent[0] + self.policy.window
            else:
                until = now + self.policy.window / max(self.policy.limit, 1)
            self.blocked_until = max(self.blocked_until, until)


class Fetcher:
    """GETs with retries, rate limits, timeouts and archive-before-parse."""

    def __init__(self, archive: Archive, settings: FetchSettings | None = None) -> None:
        self.archive = archive
        self.settings = settings or FetchSettings()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.settings.user_agent
        retries = CappedRetry(
            total=self.settings.retries,
            connect=self.settings.retries,
            read=self.settings.retries,
            status=self.settings.retries,
            backoff_factor=self.settings.backoff_factor,
            backoff_max=self.settings.backoff_max,
            backoff_jitter=self.settings.backoff_factor / 2,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD"}),
            respect_retry_after_header=True,
            retry_after_max=int(self.settings.retry_after_max),
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retries)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._limiters: dict[str, RateLimiter] = {}
        self.requests_made = 0

    def limiter(self, host: str) -> RateLimiter:
        if host not in self._limiters:
            policy = self.settings.host_policies.get(host, self.settings.default_policy)
            self._limiters[host] = RateLimiter(policy)
        return self._limiters[host]

    def get(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        source: str | None = None,
        conditional: ArchivedResponse | None = None,
        rate_host: str | None = None,
    ) -> FetchResult:
        """GET ``url``; archive the body; raise ``FetchError`` on a final failure.

        ``conditional`` is the previous archived response: its ETag and
        Last-Modified are sent, and a 304 answer returns it without a new body.
        ``rate_host`` names the budget to charge (default: the URL's host).
        """
        req_headers = dict(headers or {})
        if conditional is not None:
            if conditional.etag:
                req_headers["If-None-Match"] = conditional.etag
            if conditional.last_modified:
                req_headers["If-Modified-Since"] = conditional.last_modified
        prepared = requests.Request("GET", url, params=params).prepare()
        full_url = prepared.url or url
        shown = redact_url(full_url)
        limiter = self.limiter(rate_host or urlsplit(full_url).hostname or "")
        try:
            status, body, resp_headers = self._get_with_body_retries(full_url, req_headers, limiter)
        except (requests.RequestException, _BodyError) as exc:
            raise FetchError(redact_text(f"request failed: {exc}"), item=shown) from None
        if status == 304 and conditional is not None:
            return FetchResult(
                shown, 304, self.archive.read(conditional), resp_headers, conditional, True
            )
        fetched_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        archived = self.archive.store(
            body,
            url=full_url,
            status=status,
            fetched_at=fetched_at,
            headers=resp_headers,
            source=source,
        )
        if status >= 400:
            raise FetchError(f"HTTP {status}", item=shown, status=status)
        return FetchResult(shown, status, body, resp_headers, archived)

    def _get_with_body_retries(
        self, url: str, headers: dict[str, str], limiter: RateLimiter
    ) -> tuple[int, bytes, dict[str, str]]:
        @retry(
            retry=retry_if_exception_type(_BodyError),
            stop=stop_after_attempt(max(self.settings.retries, 1)),
            wait=wait_exponential_jitter(
                multiplier=self.settings.backoff_factor,
                max=self.settings.backoff_max,
                jitter=self.settings.backoff_factor,
            ),
            reraise=True,
        )
        def attempt() -> tuple[int, bytes, dict[str, str]]:
            limiter.acquire()
            self.requests_made += 1
            timeout = (self.settings.connect_timeout, self.settings.read_timeout)
            with self.session.get(url, headers=headers, timeout=timeout, stream=True) as resp:
                try:
                    body = resp.content
                except (
                    requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ConnectionError,
                    requests.exceptions.ContentDecodingError,
                ) as exc:
                    log.warning("body of %s cut off: %s", redact_url(url), redact_text(str(exc)))
                    raise _BodyError(redact_text(str(exc))) from None
                if resp.status_code == 200 and not _parses(body, resp.headers):
                    log.warning("body of %s is not the JSON it says it is", redact_url(url))
                    raise _BodyError("a 200 whose JSON body does not parse")
                remaining = resp.headers.get("X-RateLimit-Remaining")
                if remaining is not None and remaining.strip().lstrip("-").isdigit():
                    limiter.observe_remaining(int(remaining))
                return resp.status_code, body, dict(resp.headers)

        return attempt()


def _parses(body: bytes, headers: requests.structures.CaseInsensitiveDict[str]) -> bool:
    """False for a body declared as JSON that does not parse (cut short upstream, or garbled)."""
    if "json" not in (headers.get("Content-Type") or "").lower():
        return True
    try:
        json.loads(body, strict=False)  # raw control characters occur in real bodies
    except (ValueError, RecursionError):
        return False
    return True
