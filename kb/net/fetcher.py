"""The one fetcher: the only code in the project that talks to the network.

Retries with exponential backoff and jitter on every transient fault: 429 and
5xx (honouring ``Retry-After`` up to a bound), connection errors and resets,
stalls past the timeout, bodies cut off after the headers arrived, and a 200
declared as JSON whose body does not parse. All of them draw on one retry
budget per address. A timeout on every request, a
per-host sliding-window rate limiter that also listens to
``X-RateLimit-Remaining``, and an honest User-Agent. Every body is archived,
with redacted metadata, before the caller sees it.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from kb.errors import FetchError
from kb.net.archive import Archive, ArchivedResponse
from kb.net.retry_after import retry_after_seconds
from kb.net.secrets import redact_text, redact_url
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


class _Transient(Exception):
    """One attempt failed in a way worth retrying; ``kind`` names the fault."""

    def __init__(
        self,
        kind: str,
        detail: str,
        retry_after: float | None = None,
        response: tuple[int, bytes, dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after
        self.response = response

    def __str__(self) -> str:
        return self.detail


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

    def __init__(
        self, archive: Archive, settings: FetchSettings | None = None, sleep=time.sleep
    ) -> None:
        self.archive = archive
        self.settings = settings or FetchSettings()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.settings.user_agent
        self._limiters: dict[str, RateLimiter] = {}
        self.requests_made = 0
        #: Transient faults met, by kind (``429``, ``503``, ``timeout``, ``badjson``, …).
        self.faults: Counter[str] = Counter()
        self._sleep = sleep

    def summary(self) -> str:
        """How many requests went out, and the transient faults among them, by kind."""
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.items()))
        retried = sum(self.faults.values())
        return f"{self.requests_made} requests, {retried} transient faults" + (
            f" ({kinds})" if kinds else ""
        )

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
            status, body, resp_headers = self._get_with_retries(full_url, req_headers, limiter)
        except (_Transient, requests.RequestException) as exc:
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

    def _get_with_retries(
        self, url: str, headers: dict[str, str], limiter: RateLimiter
    ) -> tuple[int, bytes, dict[str, str]]:
        """One retry budget per address, whatever the faults: a 429 or 5xx, a stall past
        the timeout, a reset, a body cut short and a 200 whose JSON does not parse all
        count against ``retries`` and wait the same exponential backoff (or the capped
        ``Retry-After``). A status fault that outlasts the budget is returned, so the
        caller reports its status; any other raises ``_Transient``."""
        attempts = max(self.settings.retries, 0) + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(url, headers, limiter)
            except _Transient as fault:
                self.faults[fault.kind] += 1
                log.log(
                    logging.WARNING if attempt == attempts else logging.INFO,
                    "%s: %s (attempt %d of %d)",
                    redact_url(url),
                    fault.detail,
                    attempt,
                    attempts,
                )
                if attempt == attempts:
                    if fault.response is not None:
                        return fault.response
                    fault.detail = f"{fault.detail}; gave up after {attempts} attempts"
                    raise
                self._sleep(self._pause(attempt, fault.retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, attempt: int, retry_after: float | None) -> float:
        factor = self.settings.backoff_factor
        backoff = min(factor * 2 ** (attempt - 1), self.settings.backoff_max)
        backoff += random.uniform(0, factor / 2)
        return max(backoff, retry_after or 0.0)

    def _attempt(
        self, url: str, headers: dict[str, str], limiter: RateLimiter
    ) -> tuple[int, bytes, dict[str, str]]:
        limiter.acquire()
        self.requests_made += 1
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        try:
            with self.session.get(url, headers=headers, timeout=timeout, stream=True) as resp:
                body = resp.content
                status, resp_headers = resp.status_code, dict(resp.headers)
                declared_json = "json" in (resp.headers.get("Content-Type") or "").lower()
        except requests.Timeout as exc:
            raise _Transient("timeout", f"no answer within the timeout: {_short(exc)}") from None
        except requests.exceptions.ChunkedEncodingError as exc:
            raise _Transient("truncated", f"body cut short: {_short(exc)}") from None
        except requests.exceptions.ContentDecodingError as exc:
            raise _Transient("truncated", f"body undecodable: {_short(exc)}") from None
        except requests.ConnectionError as exc:
            raise _Transient("connection", f"connection failed: {_short(exc)}") from None
        remaining = resp_headers.get("X-RateLimit-Remaining")
        if remaining is not None and remaining.strip().lstrip("-").isdigit():
            limiter.observe_remaining(int(remaining))
        if status in RETRY_STATUSES:
            wait = retry_after_seconds(
                resp_headers.get("Retry-After"), self.settings.retry_after_max
            )
            raise _Transient(
                str(status), f"HTTP {status}", wait, response=(status, body, resp_headers)
            )
        if status == 200 and declared_json and not _parses(body):
            raise _Transient("badjson", "a 200 whose JSON body does not parse")
        return status, body, resp_headers


def _short(exc: Exception) -> str:
    return redact_text(str(exc))[:300]


def _parses(body: bytes) -> bool:
    """False for a JSON body that does not parse (cut short upstream, or garbled)."""
    try:
        json.loads(body, strict=False)  # raw control characters occur in real bodies
    except (ValueError, RecursionError):
        return False
    return True
