"""GovInfo bulk-data URLs, fetched through the one fetcher."""

from __future__ import annotations

import os

from kb.net.fetcher import Fetcher, FetchResult
from scrapers.govinfo import BASE, SOURCE


class GovInfoClient:
    def __init__(self, fetcher: Fetcher, base: str | None = None) -> None:
        self.fetcher = fetcher
        self.base = (base or os.environ.get("KB_GOVINFO_BASE") or BASE).rstrip("/")

    def local(self, url: str) -> str:
        """Point a www.govinfo.gov URL at the configured base (a mirror, or loopback)."""
        return self.base + url[len(BASE) :] if url.startswith(BASE) else url

    def sitemap_url(self, congress: int, kind: str) -> str:
        return f"{self.base}/sitemap/bulkdata/BILLSTATUS/{congress}{kind}/sitemap.xml"

    def billstatus_url(self, congress: int, kind: str, number: int) -> str:
        return (
            f"{BASE}/bulkdata/BILLSTATUS/{congress}/{kind}/BILLSTATUS-{congress}{kind}{number}.xml"
        )

    def get(self, url: str) -> FetchResult:
        return self.fetcher.get(self.local(url), source=SOURCE, rate_host="www.govinfo.gov")
