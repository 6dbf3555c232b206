"""Pure parsing of watched pages and reports into documents."""

from __future__ import annotations

from kb.extract import Extracted, extract_text
from kb.records import RICH_DETAIL, DocumentRecord, Kind
from scrapers.feeds.parse import article_text, slug


def page_id(name: str) -> str:
    return "page-" + slug(name)


def parse_page(
    body: bytes,
    *,
    url: str,
    name: str,
    kind: str,
    content_type: str | None,
    modified_at: str | None,
) -> tuple[DocumentRecord, Extracted | None]:
    """An HTML page becomes a document with its main text; a PDF one whose text
    comes from its attachment (so quotes keep page numbers)."""
    is_pdf = body[:5] == b"%PDF-" or (content_type or "").startswith("application/pdf")
    doc_kind = Kind.REPORT if kind == "report" else Kind.PAGE
    if is_pdf:
        extracted = extract_text(body, "pdf", item=url)
        return DocumentRecord(
            id=page_id(name),
            source="copyright.gov" if "copyright.gov" in url else "web",
            kind=doc_kind,
            url=url,
            richness=RICH_DETAIL,
            title=name,
            organization="U.S. Copyright Office" if "copyright.gov" in url else None,
            modified_at=modified_at,
            language="en",
        ), extracted
    title, text = article_text(body)
    return DocumentRecord(
        id=page_id(name),
        source="copyright.gov" if "copyright.gov" in url else "web",
        kind=doc_kind,
        url=url,
        richness=RICH_DETAIL,
        title=title or name,
        organization="U.S. Copyright Office" if "copyright.gov" in url else None,
        modified_at=modified_at,
        body=text,
        language="en",
    ), None
