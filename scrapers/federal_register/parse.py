"""Pure parsers for Federal Register API v1 documents and search pages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup

from kb.errors import ParseError
from kb.records import RICH_DETAIL, RICH_LIST_ITEM, DocumentRecord, Kind, utc_iso
from scrapers.federal_register import SOURCE

KINDS = {
    "Notice": Kind.NOTICE,
    "Rule": Kind.RULE,
    "Proposed Rule": Kind.RULE,
    "Presidential Document": Kind.NOTICE,
}


def load(body: bytes | str, *, item: str) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"invalid JSON: {exc}", item=item, source=SOURCE) from None
    if not isinstance(doc, dict):
        raise ParseError("not a Federal Register response object", item=item, source=SOURCE)
    return doc


_REGS_DOCKET = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{4}-\d{4}$")


def is_regulations_docket(value: str) -> bool:
    """True for regulations.gov docket ids (``COLC-2023-0006``), not agency-internal numbers."""
    return bool(_REGS_DOCKET.match(value))


def is_document(doc: dict[str, Any]) -> bool:
    return "document_number" in doc and "publication_date" in doc


def is_search(doc: dict[str, Any]) -> bool:
    return isinstance(doc.get("results"), list) and "count" in doc


@dataclass(frozen=True)
class FrDocument:
    record: DocumentRecord
    #: regulations.gov dockets the document belongs to.
    docket_ids: tuple[str, ...]
    #: regulations.gov document id of this document, when given.
    regulations_gov_id: str | None


def parse_document(doc: dict[str, Any], *, item: str, richness: int = RICH_DETAIL) -> FrDocument:
    number = doc.get("document_number")
    if not number or not doc.get("publication_date"):
        raise ParseError(
            "document without document_number or publication_date", item=item, source=SOURCE
        )
    agencies = [
        a.get("name") or a.get("raw_name") for a in doc.get("agencies") or [] if isinstance(a, dict)
    ]
    regs = doc.get("regulations_dot_gov_info") or {}
    dockets = list(doc.get("docket_ids") or [])
    if isinstance(regs, dict) and regs.get("docket_id") and regs["docket_id"] not in dockets:
        dockets.insert(0, regs["docket_id"])
    body_parts = [doc.get("abstract") or "", doc.get("dates") or "", doc.get("action") or ""]
    body = "\n\n".join(p for p in body_parts if p).strip()
    if doc.get("excerpts"):
        body = body or BeautifulSoup(doc["excerpts"], "html.parser").get_text()
    record = DocumentRecord(
        id=f"fr-{number}",
        source=SOURCE,
        kind=KINDS.get(doc.get("type") or "", Kind.NOTICE),
        url=doc.get("html_url"),
        richness=richness,
        docket_id=None,
        title=doc.get("title"),
        document_type=doc.get("type"),
        subtype=doc.get("subtype"),
        organization=", ".join(a for a in agencies if a) or None,
        submitter=", ".join(a for a in agencies if a) or None,
        category="government",
        posted_at=utc_iso(doc["publication_date"], item=item),
        comment_end=utc_iso(doc.get("comments_close_on"), item=item),
        fr_doc_num=number,
        body=body or None,
        language="en",
    )
    regs_id = regs.get("document_id") if isinstance(regs, dict) else None
    return FrDocument(record, tuple(d for d in dockets if d), regs_id)


@dataclass(frozen=True)
class SearchPage:
    documents: list[FrDocument]
    count: int
    total_pages: int | None
    next_page_url: str | None


def parse_search(doc: dict[str, Any], *, item: str) -> SearchPage:
    if not is_search(doc):
        raise ParseError("not a Federal Register search page", item=item, source=SOURCE)
    return SearchPage(
        [
            parse_document(r, item=f"{item}[{i}]", richness=RICH_LIST_ITEM)
            for i, r in enumerate(doc["results"])
        ],
        int(doc["count"]),
        doc.get("total_pages"),
        doc.get("next_page_url"),
    )
