"""URLs of the regulations.gov v4 API, fetched through the one fetcher."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kb.net.fetcher import Fetcher, FetchResult
from scrapers.regulations_gov import API_BASE, DOWNLOADS_HOST, SOURCE

EASTERN = ZoneInfo("America/New_York")
DEMO_KEY = "DEMO_KEY"


@dataclass(frozen=True)
class RegsConfig:
    """Where the API is and how to page it (tests point these at loopback)."""

    api_base: str = API_BASE
    #: Replaces ``https://downloads.regulations.gov`` in attachment URLs (a mirror).
    downloads_base: str | None = None
    page_size: int = 250
    #: The API's cap on one search's results (20 pages of 250).
    max_results: int = 5000

    @classmethod
    def from_env(cls) -> RegsConfig:
        return cls(
            api_base=os.environ.get("KB_REGULATIONS_GOV_API", API_BASE).rstrip("/"),
            downloads_base=os.environ.get("KB_REGULATIONS_GOV_DOWNLOADS") or None,
            page_size=int(os.environ.get("KB_REGULATIONS_GOV_PAGE_SIZE", "250")),
            max_results=int(os.environ.get("KB_REGULATIONS_GOV_MAX_RESULTS", "5000")),
        )


def api_key() -> str:
    return os.environ.get("REGULATIONS_GOV_API_KEY") or DEMO_KEY


def eastern_filter_time(utc_iso: str) -> str:
    """A UTC timestamp as the API's date filters read it: US Eastern wall time."""
    parsed = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    return parsed.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S")


class RegsClient:
    def __init__(self, fetcher: Fetcher, config: RegsConfig | None = None) -> None:
        self.fetcher = fetcher
        self.config = config or RegsConfig.from_env()

    def _get(self, path: str, params: dict[str, str] | None = None) -> FetchResult:
        return self.fetcher.get(
            f"{self.config.api_base}/{path}",
            params=params,
            headers={"X-Api-Key": api_key(), "Accept": "application/vnd.api+json"},
            source=SOURCE,
            rate_host="api.regulations.gov",
        )

    def fetch_docket(self, docket_id: str) -> FetchResult:
        return self._get(f"dockets/{docket_id}")

    def fetch_list_page(
        self,
        endpoint: str,
        docket_id: str,
        page: int,
        modified_ge: str | None,
        *,
        exact: str | None = None,
        document_types: str | None = None,
        order: str | None = None,
    ) -> FetchResult:
        """One search page of ``endpoint`` (``comments`` or ``documents``) for a docket.

        ``modified_ge`` (UTC) becomes ``filter[lastModifiedDate][ge]`` in Eastern
        time; ``exact`` pins a single second (both ``ge`` and ``le``) and sorts by
        id, which is how a window of records sharing one timestamp is listed.
        """
        params = {
            "filter[docketId]": docket_id,
            "page[size]": str(self.config.page_size),
            "page[number]": str(page),
            "sort": "lastModifiedDate,documentId",
        }
        if exact is not None:
            params["filter[lastModifiedDate][ge]"] = eastern_filter_time(exact)
            params["filter[lastModifiedDate][le]"] = eastern_filter_time(exact)
            params["sort"] = order or "documentId"
        elif modified_ge is not None:
            params["filter[lastModifiedDate][ge]"] = eastern_filter_time(modified_ge)
        if document_types:
            params["filter[documentType]"] = document_types
        return self._get(endpoint, params)

    def detail_url(self, endpoint: str, doc_id: str) -> str:
        return f"{self.config.api_base}/{endpoint}/{doc_id}?include=attachments"

    def fetch_detail(self, endpoint: str, doc_id: str) -> FetchResult:
        return self._get(f"{endpoint}/{doc_id}", {"include": "attachments"})

    def download_url(self, url: str) -> str:
        base = self.config.downloads_base
        prefix = f"https://{DOWNLOADS_HOST}"
        if base and url.startswith(prefix):
            return base.rstrip("/") + url[len(prefix) :]
        return url

    def fetch_attachment(self, url: str) -> FetchResult:
        return self.fetcher.get(self.download_url(url), source=SOURCE, rate_host=DOWNLOADS_HOST)
