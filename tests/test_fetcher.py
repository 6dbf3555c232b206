"""The fetcher against a misbehaving loopback server serving recorded bodies."""

from __future__ import annotations

import time

import pytest

from kb.errors import FetchError
from kb.net.archive import Archive
from kb.net.fetcher import Fetcher, RateLimiter
from kb.settings import FetchSettings, HostPolicy
from tests.upstream.server import Reply, Upstream

KEY = "secret-key-19ab77"


@pytest.fixture
def upstream(colc):
    body = (colc / "documents/COLC-2023-0006-0005.json").read_bytes()
    server = Upstream()
    server.route(r"/v4/documents/(?P<id>.+)", lambda m, q, h: Reply(200, body))
    server.route(r"/missing", lambda m, q, h: Reply(404, b'{"errors":[{"status":"404"}]}'))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fetcher(tmp_path, monkeypatch):
    monkeypatch.setenv("REGULATIONS_GOV_API_KEY", KEY)
    settings = FetchSettings(read_timeout=0.5, connect_timeout=1, retries=3, backoff_factor=0.01)
    return Fetcher(Archive(tmp_path / "archive"), settings)


@pytest.mark.parametrize("kind", ["429", "500", "503", "slow", "truncate", "badjson", "reset"])
def test_retries_transient_failures(upstream, fetcher, kind):
    upstream.fault(kind, "/v4/documents", times=2, delay=1.0)
    result = fetcher.get(
        f"{upstream.base}/v4/documents/COLC-2023-0006-0005", params={"api_key": KEY}
    )
    assert result.status == 200 and b"Sheremetieva" in result.body
    assert len(upstream.log) == 3


def test_retry_after_is_honoured(upstream, fetcher):
    upstream.fault("429", "/v4/documents", times=1)
    start = time.monotonic()
    fetcher.get(f"{upstream.base}/v4/documents/x")
    assert time.monotonic() - start >= 0.9  # the server said Retry-After: 1


def test_a_day_long_retry_after_is_capped_and_reported(upstream, tmp_path, caplog):
    settings = FetchSettings(read_timeout=1, retries=3, backoff_factor=0.01, retry_after_max=1)
    fetcher = Fetcher(Archive(tmp_path / "archive"), settings)
    upstream.fault("429-day", "/v4/documents", times=1)
    start = time.monotonic()
    result = fetcher.get(f"{upstream.base}/v4/documents/x")
    assert result.status == 200 and 0.9 <= time.monotonic() - start < 10
    assert "Retry-After: 86400" in caplog.text and "waiting 1 s" in caplog.text


def test_gives_up_with_clear_error(upstream, fetcher):
    upstream.fault("503", "/v4/documents", times=10)
    with pytest.raises(FetchError, match=r"503|too many"):
        fetcher.get(f"{upstream.base}/v4/documents/x", params={"api_key": KEY})
    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetcher.get(f"{upstream.base}/missing")
    assert info.value.status == 404


def test_archive_before_parse_and_no_secret_on_disk(upstream, fetcher, tmp_path):
    result = fetcher.get(
        f"{upstream.base}/v4/documents/x", params={"api_key": KEY}, headers={"X-Api-Key": KEY}
    )
    archive = fetcher.archive
    assert archive.read(result.archived) == result.body
    entry = archive.latest(f"{upstream.base}/v4/documents/x?api_key=REDACTED")
    assert entry is not None and entry.sha256 == result.archived.sha256
    for path in (tmp_path / "archive").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert KEY.encode() not in data
    assert KEY not in result.url
    # The User-Agent says who we are.
    assert "aicopyright-kb" in fetcher.session.headers["User-Agent"]


def test_rate_limiter_window_and_remaining_header():
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(HostPolicy(limit=3, window=60), clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.acquire()
    assert slept == []
    limiter.acquire()  # the fourth waits for the window
    assert slept == [60]
    limiter.observe_remaining(0)
    limiter.acquire()
    assert slept[-1] > 0


def test_remaining_zero_pauses_the_host(upstream, tmp_path):
    settings = FetchSettings(
        retries=1, backoff_factor=0.01, host_policies={"127.0.0.1": HostPolicy(limit=4, window=2.0)}
    )
    fetcher = Fetcher(Archive(tmp_path / "a"), settings)
    upstream.fault("ratelimit0", "/v4/documents", times=1)
    fetcher.get(f"{upstream.base}/v4/documents/a")
    start = time.monotonic()
    fetcher.get(f"{upstream.base}/v4/documents/b")
    assert time.monotonic() - start >= 0.4  # window / limit


def test_one_retry_budget_for_every_kind_of_fault(upstream, fetcher):
    # retries=3: three faults of three kinds, then the answer.
    for kind in ("503", "badjson", "reset"):
        upstream.fault(kind, "/v4/documents", times=1)
    result = fetcher.get(f"{upstream.base}/v4/documents/x")
    assert result.status == 200 and len(upstream.log) == 4
    assert dict(fetcher.faults) == {"503": 1, "badjson": 1, "connection": 1}
    # Four faults of four kinds exhaust the one budget: there is no budget per kind.
    for kind in ("truncate", "500", "badjson", "slow"):
        upstream.fault(kind, "/v4/documents", times=1, delay=1.0)
    with pytest.raises(FetchError, match=r"no answer within the timeout.*gave up after 4 attempts"):
        fetcher.get(f"{upstream.base}/v4/documents/y")
    assert len(upstream.log) == 8
