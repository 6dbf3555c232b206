"""Pure parsers for regulations.gov v4 bodies (no network, no database, no clock)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup

from kb.errors import ParseError, one_line
from kb.records import (
    RICH_DETAIL,
    RICH_LIST_ITEM,
    RICH_TEXT_ONLY,
    AttachmentRef,
    DocketRecord,
    DocumentRecord,
    Kind,
    utc_iso,
)
from scrapers.regulations_gov import SOURCE
from scrapers.regulations_gov.titles import parse_filer_title

KIND_BY_TYPE = {
    "public submission": Kind.COMMENT,
    "notice": Kind.NOTICE,
    "rule": Kind.RULE,
    "proposed rule": Kind.RULE,
    "supporting & related material": Kind.SUPPORTING,
    "other": Kind.SUPPORTING,
}
#: Formats we can extract text from, best first.
TEXT_FORMATS = ("pdf", "docx", "txt", "htm", "html", "doc", "rtf", "xml")
_ID_RE = re.compile(r"^[A-Z0-9][A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)+$")
_BR_RE = re.compile(r"<br\s*/?>", re.I)


@dataclass(frozen=True)
class ListPage:
    records: list[DocumentRecord]
    total: int | None
    page_number: int | None
    has_next: bool
    last_page: bool


def load_json(body: bytes | str, *, item: str) -> Any:
    """Decode a JSON body; raw control characters inside strings are tolerated."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.loads(text, strict=False)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"invalid JSON: {exc}", item=item, source=SOURCE) from None


def comment_to_text(raw: str | None) -> str | None:
    """The API's HTML-ish ``comment`` field as plain text (``<br/>`` → newline)."""
    if raw is None:
        return None
    text = _BR_RE.sub("\n", raw)
    if "<" in text or "&" in text:
        text = BeautifulSoup(text, "html.parser").get_text()
    text = text.replace("\r\n", "\n").replace("\xa0", " ")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def public_url(doc_id: str, kind: Kind) -> str:
    path = "comment" if kind is Kind.COMMENT else "document"
    return f"https://www.regulations.gov/{path}/{doc_id}"


def _str(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _check_id(doc_id: Any, item: str) -> str:
    if not isinstance(doc_id, str) or not _ID_RE.match(doc_id):
        raise ParseError(f"missing or malformed id {doc_id!r}", item=item, source=SOURCE)
    return doc_id


def _submitter(attrs: dict[str, Any]) -> str | None:
    org = _str(attrs.get("organization"))
    if org:
        return org
    name = " ".join(p for p in (_str(attrs.get("firstName")), _str(attrs.get("lastName"))) if p)
    return name or None


def _safe_title(title: str, item: str) -> str:
    if "/" in title or "\\" in title or title in {".", ".."} or "\x00" in title:
        raise ParseError(f"unsafe attachment name {title!r}", item=item, source=SOURCE)
    return title


def pick_format(formats: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The file format we extract text from, best first; None when none is usable."""
    by_format = {str(f.get("format", "")).lower(): f for f in formats if f.get("fileUrl")}
    for fmt in TEXT_FORMATS:
        if fmt in by_format:
            return by_format[fmt]
    return None


def parse_attachments(
    doc_id: str, included: list[dict[str, Any]], problems: list[ParseError] | None = None
) -> list[AttachmentRef]:
    """The attachment files of a detail response; unsafe ones go to ``problems``."""
    refs = []
    for n, inc in enumerate(included or [], start=1):
        if inc.get("type") != "attachments":
            continue
        attrs = inc.get("attributes") or {}
        chosen = pick_format(attrs.get("fileFormats") or [])
        if chosen is None:
            continue
        try:
            title = _safe_title(
                _str(attrs.get("title")) or f"attachment_{n}", f"{doc_id} attachment {n}"
            )
        except ParseError as exc:
            if problems is None:
                raise
            problems.append(exc)
            continue
        refs.append(
            AttachmentRef(
                document_id=doc_id,
                seq=int(attrs.get("docOrder") or n),
                title=title,
                format=str(chosen["format"]).lower(),
                url=chosen["fileUrl"],
                size=chosen.get("size"),
            )
        )
    return refs


def _content_ref(doc_id: str, attrs: dict[str, Any]) -> list[AttachmentRef]:
    """A notice's own content file (document-level ``fileFormats``) as attachment 0."""
    chosen = pick_format(attrs.get("fileFormats") or [])
    if chosen is None:
        return []
    return [
        AttachmentRef(
            doc_id,
            0,
            "content",
            str(chosen["format"]).lower(),
            chosen["fileUrl"],
            chosen.get("size"),
        )
    ]


def _checked_attributes(data: dict[str, Any], item: str) -> tuple[str, dict[str, Any], str]:
    """The record's id, attributes and document type; a parse error if one is missing."""
    if not isinstance(data, dict):
        raise ParseError("record is not an object", item=item, source=SOURCE)
    doc_id = _check_id(data.get("id"), item)
    attrs = data.get("attributes")
    if not isinstance(attrs, dict):
        raise ParseError("record has no attributes", item=doc_id, source=SOURCE)
    doc_type = _str(attrs.get("documentType"))
    if doc_type is None:
        raise ParseError("record has no documentType", item=doc_id, source=SOURCE)
    return doc_id, attrs, doc_type


def _listed_attachments(refs: list[AttachmentRef], kind: Kind, richness: int) -> str | None:
    """A detailed comment's attachment titles as upstream lists them, as JSON."""
    listed = [r.title for r in refs if r.seq > 0]
    return (
        json.dumps(listed, ensure_ascii=False)
        if kind is Kind.COMMENT and richness >= RICH_DETAIL
        else None
    )


def parse_document_data(
    data: dict[str, Any],
    *,
    richness: int,
    item: str,
    included: list[dict[str, Any]] | None = None,
    problems: list[ParseError] | None = None,
) -> DocumentRecord:
    """One ``data`` object of a documents/comments response (detail or list item)."""
    doc_id, attrs, doc_type = _checked_attributes(data, item)
    kind = KIND_BY_TYPE.get(doc_type.lower(), Kind.SUPPORTING)
    docket_id = _str(attrs.get("docketId")) or doc_id.rsplit("-", 1)[0]
    refs = parse_attachments(doc_id, included or [], problems)
    if kind is not Kind.COMMENT:
        refs = _content_ref(doc_id, attrs) + refs

    def ts(name: str) -> str | None:
        return utc_iso(attrs.get(name), item=doc_id, source=SOURCE)

    dup = attrs.get("duplicateComments")
    title = _str(attrs.get("title"))
    filer = parse_filer_title(title) if kind is Kind.COMMENT else None
    return DocumentRecord(
        id=doc_id,
        source=SOURCE,
        kind=kind,
        url=public_url(doc_id, kind),
        richness=richness,
        docket_id=docket_id,
        title=title,
        document_type=doc_type,
        subtype=_str(attrs.get("subtype")),
        comment_on_document_id=_str(attrs.get("commentOnDocumentId")),
        organization=_str(attrs.get("organization")),
        first_name=_str(attrs.get("firstName")),
        last_name=_str(attrs.get("lastName")),
        submitter=_submitter(attrs),
        category=_str(attrs.get("category")),
        city=_str(attrs.get("city")),
        state=_str(attrs.get("stateProvinceRegion")),
        country=_str(attrs.get("country")),
        posted_at=ts("postedDate"),
        received_at=ts("receiveDate"),
        modified_at=ts("modifyDate") or ts("lastModifiedDate"),
        withdrawn=attrs.get("withdrawn") if isinstance(attrs.get("withdrawn"), bool) else None,
        reason_withdrawn=_str(attrs.get("reasonWithdrawn")),
        duplicate_comments=dup if isinstance(dup, int) else None,
        fr_doc_num=_str(attrs.get("frDocNum")),
        comment_start=ts("commentStartDate"),
        comment_end=ts("commentEndDate"),
        object_id=_str(attrs.get("objectId")),
        tracking_nbr=_str(attrs.get("trackingNbr")),
        page_count=attrs.get("pageCount") or None,
        body=comment_to_text(attrs.get("comment")),
        filer_type=str(filer.type) if filer else None,
        listed_attachments=_listed_attachments(refs, kind, richness),
        attachments=tuple(refs),
    )


def parse_detail(
    body: bytes | str, *, item: str, problems: list[ParseError] | None = None
) -> DocumentRecord:
    """A ``GET /documents/{id}`` or ``/comments/{id}`` response (with ``included``).

    Attachments that cannot be accepted (an unsafe file name) are left out and
    reported in ``problems`` when a list is given, else they fail the record.
    """
    doc = load_json(body, item=item)
    if isinstance(doc, dict) and "errors" in doc and "data" not in doc:
        raise ParseError(f"error response: {error_text(doc)}", item=item, source=SOURCE)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        raise ParseError("not a v4 detail response (no data object)", item=item, source=SOURCE)
    return parse_document_data(
        doc["data"],
        richness=RICH_DETAIL,
        item=item,
        included=doc.get("included") or [],
        problems=problems,
    )


def parse_list_page(body: bytes | str, *, item: str) -> ListPage:
    """A ``GET /documents`` or ``/comments`` search page."""
    doc = load_json(body, item=item)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ParseError("not a v4 list response (no data array)", item=item, source=SOURCE)
    meta = doc.get("meta") or {}
    records = [
        parse_document_data(d, richness=RICH_LIST_ITEM, item=f"{item}[{i}]")
        for i, d in enumerate(doc["data"])
    ]
    return ListPage(
        records=records,
        total=meta.get("totalElements"),
        page_number=meta.get("pageNumber"),
        has_next=bool(meta.get("hasNextPage")),
        last_page=bool(meta.get("lastPage", not meta.get("hasNextPage"))),
    )


def parse_docket(body: bytes | str | dict[str, Any], *, item: str) -> DocketRecord:
    """A ``GET /dockets/{id}`` response, or one ``dockets`` list item."""
    doc = load_json(body, item=item) if not isinstance(body, dict) else body
    data = doc.get("data", doc) if isinstance(doc, dict) else None
    if not isinstance(data, dict) or data.get("type") != "dockets":
        raise ParseError("not a v4 docket response", item=item, source=SOURCE)
    docket_id = _check_id(data.get("id"), item)
    attrs = data.get("attributes") or {}
    return DocketRecord(
        id=docket_id,
        source=SOURCE,
        url=f"https://www.regulations.gov/docket/{docket_id}",
        agency_id=_str(attrs.get("agencyId")),
        title=_str(attrs.get("title")),
        docket_type=_str(attrs.get("docketType")),
        modified_at=utc_iso(
            attrs.get("modifyDate") or attrs.get("lastModifiedDate"), item=docket_id, source=SOURCE
        ),
        abstract=_str(attrs.get("dkAbstract")),
    )


def parse_docket_list(body: bytes | str, *, item: str) -> list[DocketRecord]:
    doc = load_json(body, item=item)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ParseError("not a v4 docket list", item=item, source=SOURCE)
    return [parse_docket(d, item=f"{item}[{i}]") for i, d in enumerate(doc["data"])]


def parse_comment_text_lines(
    lines: Iterator[str], *, item: str
) -> Iterator[DocumentRecord | ParseError]:
    """``comment-text.jsonl``: one ``{"id", "comment"}`` per line.

    Yields a record per good line and a ``ParseError`` per bad one, so a caller
    can report the bad line and keep going.
    """
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{item}:{n}"
        try:
            obj = load_json(line, item=where)
            if not isinstance(obj, dict) or "comment" not in obj:
                raise ParseError("line has no comment field", item=where, source=SOURCE)
            doc_id = _check_id(obj.get("id"), where)
            if not isinstance(obj["comment"], str | None):
                kind = type(obj["comment"]).__name__
                raise ParseError(f"comment is not text ({kind})", item=where, source=SOURCE)
            (obj["comment"] or "").encode("utf-8")  # a lone surrogate is refused here, by line
            yield DocumentRecord(
                id=doc_id,
                source=SOURCE,
                kind=Kind.COMMENT,
                url=public_url(doc_id, Kind.COMMENT),
                richness=RICH_TEXT_ONLY,
                docket_id=doc_id.rsplit("-", 1)[0],
                document_type="Public Submission",
                body=comment_to_text(obj.get("comment")),
            )
        except ParseError as exc:
            yield exc
        except (TypeError, ValueError, AttributeError, KeyError, RecursionError) as exc:
            yield ParseError(one_line(exc), item=where, source=SOURCE)


def error_text(doc: dict[str, Any]) -> str:
    errors = doc.get("errors") or []
    return "; ".join(f"{e.get('status')} {e.get('title') or e.get('detail')}" for e in errors)


def classify_body(doc: Any) -> str:
    """What kind of v4 body a decoded JSON object is: detail, list, docket, dockets, error."""
    if not isinstance(doc, dict):
        return "unknown"
    data = doc.get("data")
    if "errors" in doc and data is None:
        return "error"
    if isinstance(data, list):
        if data and all(isinstance(d, dict) and d.get("type") == "dockets" for d in data):
            return "dockets"
        return "list"
    if isinstance(data, dict):
        return "docket" if data.get("type") == "dockets" else "detail"
    if doc.get("type") in ("comments", "documents"):
        return "item"
    if doc.get("type") == "dockets":
        return "docket"
    return "unknown"
