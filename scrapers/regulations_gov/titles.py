"""Who filed a comment, from its regulations.gov title (pure).

regulations.gov titles a public submission "Comment from {organization}" when the
filer typed an organisation, else "Comment from {lastName}, {firstName}", and
"Comment from Anonymous" when both were left empty. ``comment-titles.jsonl``
(``{"id", "title", "attachment_titles"}``, two fields of the API response) carries
that title for every comment, so the filer of a comment whose detail was never
fetched is still known.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from kb.errors import ParseError, one_line
from kb.records import RICH_TEXT_ONLY, DocumentRecord, Kind
from scrapers.regulations_gov import SOURCE

PREFIX = "Comment from "


class FilerType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class FilerName:
    type: FilerType
    #: As a reader writes it: "Kirill Dmitruk", "Broadcast Music, Inc.", "Anonymous".
    display: str
    first: str | None = None
    last: str | None = None


#: A part after the comma that ends a company name, not a first name.
_CORPORATE_SUFFIX = re.compile(
    r"^(?:inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|plc|pbc|"
    r"llp|pllc|lp|l\.p|p\.c|pc|gmbh|ag|s\.a|sa|s\.l|srl|bv|b\.v|nv|oy|ab|pty|pty ltd|"
    r"a professional corporation|et al)\b\.?",
    re.I,
)
#: Words that make the part before the comma an organisation's name.
_ORG_WORD = re.compile(
    r"\b(?:association|associations|institute|society|university|college|foundation|alliance|"
    r"coalition|council|guild|federation|union|law office|law firm|library|libraries|"
    r"corporation|company|inc|llc|ltd)\b",
    re.I,
)
#: Degrees and generational suffixes between "Last," and "First" ("Hewitt, Ph.D., Mark").
_PERSON_SUFFIX = re.compile(r"^(?:ph\.?\s?d|m\.?d|j\.?d|esq|jr|sr|ii|iii|iv|dr|mba|llm)\.?$", re.I)
_ANONYMOUS = re.compile(r"^(?:anonymous|anon)(?:\s+(?:anonymous|anon))?\.?$", re.I)
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ,;")


def parse_filer_title(title: str | None) -> FilerName | None:
    """The filer a "Comment from …" title names; None for other titles (a notice's)."""
    if not title or not title.startswith(PREFIX):
        return None
    name = _clean(title[len(PREFIX) :])
    if not name or _ANONYMOUS.match(name):
        return FilerName(FilerType.ANONYMOUS, "Anonymous")
    parts = [_clean(p) for p in name.split(",")]
    parts = [p for p in parts if p]
    if len(parts) >= 2:
        last, *middle, first = parts
        if (
            all(_PERSON_SUFFIX.match(p) for p in middle)
            and not _CORPORATE_SUFFIX.match(first)
            and not _ORG_WORD.search(last)
            and not _ORG_WORD.search(first)
        ):
            suffix = "".join(f", {p}" for p in middle)
            return FilerName(FilerType.PERSON, f"{first} {last}{suffix}", first=first, last=last)
    # No "Last, First" shape: regulations.gov put the organisation field in the title.
    return FilerName(FilerType.ORGANIZATION, name)


@dataclass(frozen=True)
class TitleRecord:
    """One line of ``comment-titles.jsonl``."""

    id: str
    title: str
    attachment_titles: tuple[str, ...]
    filer: FilerName | None

    def as_document(self, kind: Kind) -> DocumentRecord:
        """The fields the title gives, as a record that merges below any richer one."""
        filer = self.filer
        person = filer is not None and filer.type is FilerType.PERSON
        org = filer is not None and filer.type is FilerType.ORGANIZATION
        return DocumentRecord(
            id=self.id,
            source=SOURCE,
            kind=kind,
            url=f"https://www.regulations.gov/{'comment' if kind is Kind.COMMENT else 'document'}/{self.id}",
            richness=RICH_TEXT_ONLY,
            docket_id=self.id.rsplit("-", 1)[0],
            title=self.title,
            organization=filer.display if org and filer else None,
            first_name=filer.first if person and filer else None,
            last_name=filer.last if person and filer else None,
            submitter=filer.display if filer else None,
            filer_type=str(filer.type) if filer else None,
            listed_attachments=json.dumps(list(self.attachment_titles), ensure_ascii=False),
        )


_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{4}-\d+-\d+$")


def _parse_title_line(line: str, where: str) -> TitleRecord:
    try:
        obj = json.loads(line, strict=False)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc}", item=where, source=SOURCE) from None
    if not isinstance(obj, dict) or "title" not in obj:
        raise ParseError("line has no title field", item=where, source=SOURCE)
    doc_id = obj.get("id")
    if not isinstance(doc_id, str) or not _ID_RE.match(doc_id):
        raise ParseError(f"missing or malformed id {doc_id!r}", item=where, source=SOURCE)
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ParseError("title is not a non-empty string", item=f"{where} ({doc_id})")
    atts = obj.get("attachment_titles", [])
    if not isinstance(atts, list) or not all(isinstance(a, str) for a in atts):
        raise ParseError("attachment_titles is not a list of strings", item=f"{where} ({doc_id})")
    return TitleRecord(
        doc_id, title.strip(), tuple(a.strip() for a in atts), parse_filer_title(title)
    )


def is_title_line(line: str) -> bool:
    """Whether a JSONL line is a title record (has ``title``, no ``comment``)."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return False
    return isinstance(obj, dict) and "title" in obj and "comment" not in obj


def parse_comment_title_lines(
    lines: Iterator[str], *, item: str
) -> Iterator[TitleRecord | ParseError]:
    """``comment-titles.jsonl``: a record per good line, a ``ParseError`` per bad one."""
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield _parse_title_line(line, f"{item}:{n}")
        except ParseError as exc:
            yield exc
        except (TypeError, ValueError, AttributeError, KeyError, RecursionError) as exc:
            yield ParseError(one_line(exc), item=f"{item}:{n}", source=SOURCE)
