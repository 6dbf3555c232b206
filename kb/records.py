"""Record types: what parsers return and the store loads.

Frozen dataclasses with a stable natural key as ``id``, the source URL, and
timezone-aware UTC timestamps rendered as ISO 8601 strings ending in ``Z``.
Closed vocabularies are enums. An impossible record raises ``ParseError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from dateutil import parser as dateparser

from kb.errors import ParseError


class Kind(StrEnum):
    COMMENT = "comment"
    NOTICE = "notice"
    RULE = "rule"
    SUPPORTING = "supporting"
    BILL_TEXT = "bill_text"
    REPORT = "report"
    PRESS = "press"
    PAGE = "page"


#: How complete a record's source is (a fuller source wins a merge):
#: a text-only export (id and comment), a list-page item, a full detail response.
RICH_TEXT_ONLY = 1
RICH_LIST_ITEM = 2
RICH_DETAIL = 3


def utc_iso(value: str | None, *, item: str = "", source: str = "") -> str | None:
    """Parse an upstream timestamp into ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) or None."""
    if value in (None, ""):
        return None
    try:
        parsed = dateparser.isoparse(str(value))
    except (ValueError, OverflowError) as exc:
        raise ParseError(f"bad timestamp {value!r}: {exc}", item=item, source=source) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DocketRecord:
    id: str
    source: str
    url: str
    agency_id: str | None = None
    title: str | None = None
    docket_type: str | None = None
    modified_at: str | None = None
    abstract: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ParseError("docket without id", source=self.source)
        check_safe_id(self.id, self.source)


@dataclass(frozen=True)
class AttachmentRef:
    """An attachment file as a detail response lists it (not yet downloaded)."""

    document_id: str
    seq: int
    title: str
    format: str
    url: str | None
    size: int | None = None

    @property
    def id(self) -> str:
        return f"{self.document_id}/{self.seq}.{self.format}"

    @property
    def file_name(self) -> str:
        return f"{self.title}.{self.format}"


@dataclass(frozen=True)
class DocumentRecord:
    """A filing, notice, bill text, report, page or article."""

    id: str
    source: str
    kind: Kind
    url: str | None
    richness: int
    docket_id: str | None = None
    title: str | None = None
    document_type: str | None = None
    subtype: str | None = None
    comment_on_document_id: str | None = None
    organization: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    submitter: str | None = None
    category: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    posted_at: str | None = None
    received_at: str | None = None
    modified_at: str | None = None
    withdrawn: bool | None = None
    reason_withdrawn: str | None = None
    duplicate_comments: int | None = None
    fr_doc_num: str | None = None
    comment_start: str | None = None
    comment_end: str | None = None
    object_id: str | None = None
    tracking_nbr: str | None = None
    page_count: int | None = None
    body: str | None = None
    language: str | None = None
    #: ``person``, ``organization`` or ``anonymous``, where the upstream title tells.
    filer_type: str | None = None
    #: JSON list of the attachment titles upstream lists (whether or not we hold the files).
    listed_attachments: str | None = None
    attachments: tuple[AttachmentRef, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.id or not isinstance(self.id, str):
            raise ParseError("document without id", source=self.source)
        check_safe_id(self.id, self.source)
        if not isinstance(self.kind, Kind):
            raise ParseError(f"unknown kind {self.kind!r}", item=self.id, source=self.source)

    def columns(self) -> dict[str, object]:
        """The record as a row of the ``documents`` table (attachments excluded)."""
        row = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "attachments"}
        row["kind"] = str(self.kind)
        return row


class BillStatus(StrEnum):
    """Where a bill stands, derived from its actions (the contract's values)."""

    INTRODUCED = "introduced"
    REFERRED = "referred"
    REPORTED = "reported"
    PASSED_HOUSE = "passed_house"
    PASSED_SENATE = "passed_senate"
    PASSED_BOTH = "passed_both"
    ENACTED = "enacted"
    VETOED = "vetoed"
    FAILED = "failed"


@dataclass(frozen=True)
class Member:
    name: str
    bioguide_id: str | None = None
    party: str | None = None
    state: str | None = None
    district: str | None = None
    #: Cosponsors only: the day they joined, the day they withdrew, original or not.
    date: str | None = None
    withdrawn: str | None = None
    original: bool | None = None


@dataclass(frozen=True)
class BillAction:
    date: str
    text: str
    code: str | None = None
    chamber: str | None = None
    type: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class TextVersion:
    code: str | None
    name: str
    date: str | None
    url: str | None


@dataclass(frozen=True)
class RelatedBill:
    id: str
    title: str | None
    relationship: str | None
    identified_by: str | None


@dataclass(frozen=True)
class Summary:
    version_code: str | None
    action_date: str | None
    action_desc: str | None
    text: str
    update_date: str | None


@dataclass(frozen=True)
class BillRecord:
    """A bill with everything BILLSTATUS or congress.gov says about it."""

    id: str
    congress: int
    type: str
    number: int
    source: str
    url: str
    title: str | None = None
    short_title: str | None = None
    introduced: str | None = None
    origin_chamber: str | None = None
    update_date: str | None = None
    update_date_including_text: str | None = None
    sponsor: Member | None = None
    cosponsors: tuple[Member, ...] = ()
    actions: tuple[BillAction, ...] = ()
    committees: tuple[dict[str, object], ...] = ()
    related: tuple[RelatedBill, ...] = ()
    subjects: tuple[str, ...] = ()
    policy_area: str | None = None
    summaries: tuple[Summary, ...] = ()
    titles: tuple[dict[str, str | None], ...] = ()
    text_versions: tuple[TextVersion, ...] = ()
    latest_action: BillAction | None = None
    #: Between two records with the same update date, the newer layout wins.
    layout_rank: int = 0
    #: Which parts the source carried (congress.gov answers one sub-resource per request).
    parts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not BILL_ID_RE.match(self.id):
            raise ParseError(f"malformed bill id {self.id!r}", item=self.id, source=self.source)


#: An id becomes a file name of the site (``filings/<id>.md``): letters, digits, ``._-`` only.
SAFE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def check_safe_id(record_id: object, source: str | None) -> None:
    """Refuse an id that could not be a file name on its own (``../x``, ``a/b``, NUL, …)."""
    if not isinstance(record_id, str) or not SAFE_ID_RE.match(record_id):
        shown = repr(record_id)[:80]
        raise ParseError(
            f"unsafe id {shown}: only letters, digits, '.', '_' and '-' may name a record",
            source=source,
        )


BILL_TYPES = ("hr", "s", "hjres", "sjres", "hconres", "sconres", "hres", "sres")
BILL_ID_RE = re.compile(r"^\d{2,3}-(?:hr|s|hjres|sjres|hconres|sconres|hres|sres)-\d+$")


def bill_id(congress: int | str, bill_type: str, number: int | str) -> str:
    """The contract's bill id: ``{congress}-{type}-{number}``, type lower case."""
    kind = str(bill_type).lower().replace(".", "").replace(" ", "")
    if kind not in BILL_TYPES:
        raise ParseError(
            f"unknown bill type {bill_type!r}", item=f"{congress}-{bill_type}-{number}"
        )
    return f"{int(congress)}-{kind}-{int(number)}"
