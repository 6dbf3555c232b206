"""Federal Register v1 search URLs, fetched through the one fetcher."""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlsplit

from kb.net.fetcher import Fetcher, FetchResult
from scrapers.federal_register import API_BASE, MAX_RESULTS, SOURCE

FIELDS = (
    "document_number",
    "title",
    "type",
    "subtype",
    "abstract",
    "action",
    "dates",
    "agencies",
    "publication_date",
    "comments_close_on",
    "html_url",
    "pdf_url",
    "docket_ids",
    "regulations_dot_gov_info",
    "citation",
)
PER_PAGE = 1000


class FederalRegisterClient:
    def __init__(
        self, fetcher: Fetcher, base: str | None = None, max_results: int | None = None
    ) -> None:
        self.fetcher = fetcher
        self.base = (base or os.environ.get("KB_FEDERAL_REGISTER_API") or API_BASE).rstrip("/")
        #: A search whose count reaches this was cut off by the API.
        self.max_results = max_results or int(
            os.environ.get("KB_FEDERAL_REGISTER_MAX_RESULTS", MAX_RESULTS)
        )

    def search(
        self, conditions: list[tuple[str, str]], gte: str, lte: str, page: int = 1
    ) -> FetchResult:
        params: list[tuple[str, str]] = [
            *conditions,
            ("conditions[publication_date][gte]", gte),
            ("conditions[publication_date][lte]", lte),
            ("order", "oldest"),
            ("per_page", str(PER_PAGE)),
            ("page", str(page)),
        ]
        params += [("fields[]", f) for f in FIELDS]
        return self.fetcher.get(
            f"{self.base}/documents.json",
            params=params,  # type: ignore[arg-type]
            source=SOURCE,
            rate_host="www.federalregister.gov",
        )

    def follow(self, next_url: str) -> FetchResult:
        parts = urlsplit(next_url)
        return self.fetcher.get(
            f"{self.base}/documents.json",
            params=parse_qsl(parts.query),  # type: ignore[arg-type]
            source=SOURCE,
            rate_host="www.federalregister.gov",
        )
