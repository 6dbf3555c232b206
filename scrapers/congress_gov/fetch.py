"""congress.gov v3 URLs, fetched through the one fetcher with the key in a header."""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlsplit

from kb.net.fetcher import Fetcher, FetchResult
from scrapers.congress_gov import API_BASE, SOURCE

PAGE_LIMIT = 250


def api_key() -> str:
    return os.environ.get("CONGRESS_GOV_API_KEY") or "DEMO_KEY"


class CongressClient:
    def __init__(self, fetcher: Fetcher, base: str | None = None) -> None:
        self.fetcher = fetcher
        self.base = (base or os.environ.get("KB_CONGRESS_GOV_API") or API_BASE).rstrip("/")

    def get(self, path: str, params: dict[str, str] | None = None) -> FetchResult:
        params = {"format": "json", **(params or {})}
        return self.fetcher.get(
            f"{self.base}/{path.lstrip('/')}",
            params=params,
            headers={"X-Api-Key": api_key()},
            source=SOURCE,
            rate_host="api.congress.gov",
        )

    def follow(self, next_url: str) -> FetchResult:
        """A ``pagination.next`` URL (on the real host) fetched from the configured base."""
        parts = urlsplit(next_url)
        path = parts.path.split("/v3/", 1)[-1]
        params = {k: v for k, v in parse_qsl(parts.query) if k.lower() != "api_key"}
        return self.get(path, params)

    def bill(self, bid: str) -> FetchResult:
        congress, kind, number = bid.split("-")
        return self.get(f"bill/{congress}/{kind}/{number}")

    def part(self, bid: str, part: str, offset: int = 0) -> FetchResult:
        congress, kind, number = bid.split("-")
        return self.get(
            f"bill/{congress}/{kind}/{number}/{part}",
            {"limit": str(PAGE_LIMIT), "offset": str(offset)},
        )

    def bills_updated(self, congress: int, since: str | None) -> FetchResult:
        params = {"limit": str(PAGE_LIMIT), "sort": "updateDate asc"}
        if since:
            params["fromDateTime"] = since
        return self.get(f"bill/{congress}", params)
