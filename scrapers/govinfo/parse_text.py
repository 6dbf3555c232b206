"""Pure parser of GovInfo bill text: USLM XML, bill-DTD XML or GovInfo's HTML
rendering, with the text before a committee's amendment where a version shows one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from kb.errors import ParseError
from kb.records import bill_id
from kb.xml import local, parse_xml, text_of
from scrapers.govinfo import SOURCE

_VERSION_IN_URL = re.compile(r"BILLS-\d+[a-z]+\d+([a-z]+)\b")


def version_code(url: str | None) -> str | None:
    match = _VERSION_IN_URL.search(url or "")
    return match.group(1) if match else None


@dataclass(frozen=True)
class BillText:
    bill_id: str | None
    version_code: str | None
    title: str | None
    text: str
    #: For a version that shows a committee's amendment: the text before it.
    text_before_amendment: str | None = None


_BLOCKS = frozenset(
    {
        "section",
        "subsection",
        "paragraph",
        "subparagraph",
        "clause",
        "subclause",
        "item",
        "subitem",
        "heading",
        "content",
        "chapeau",
        "continuation",
        "quotedContent",
        "p",
        "title",
        "part",
        "division",
        "subtitle",
        "chapter",
        "officialTitle",
        "longTitle",
        "enactingFormula",
        "text",
        "header",
        "legis-body",
        "toc-entry",
    }
)


def _render(el: Element, skip: str | None, out: list[str]) -> None:
    if skip and el.get("changed") == skip:
        return
    name = local(el.tag)
    if name in ("meta", "toc") or name == "endorsement":
        return
    if name in _BLOCKS and out and not out[-1].endswith("\n"):
        out.append("\n")
    if el.text:
        out.append(el.text)
    for child in el:
        _render(child, skip, out)
        if child.tail:
            out.append(child.tail)
    if name in ("num",):
        out.append(" ")


def _clean(parts: list[str]) -> str:
    text = "".join(parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def parse_bill_text(data: bytes, *, item: str, fmt: str) -> BillText:
    """Bill text from USLM XML, bill-DTD XML or GovInfo's HTML/XHTML rendering."""
    if fmt in ("htm", "html", "xhtml"):
        from kb.extract import extract_html

        text = extract_html(data).text
        m = re.search(
            r"(\d+)(?:th|st|nd|rd) CONGRESS.*?\n\s*(H\. ?R\.|S\.|H\. ?J\. ?RES\.|S\. ?J\. ?RES\.) ?(\d+)",
            text,
            re.S,
        )
        bid = bill_id(m.group(1), m.group(2), m.group(3)) if m else None
        return BillText(bid, version_code(item), None, text)
    root = parse_xml(data, item=item, source=SOURCE)
    name = local(root.tag)
    if name not in ("bill", "resolution", "amendment-doc"):
        raise ParseError(f"not bill text (root <{name}>)", item=item, source=SOURCE)
    ns_title = next((text_of(e) for e in root.iter() if local(e.tag) == "citableAs"), None)
    bid = None
    code = None
    if ns_title:
        m = re.match(
            r"(\d+) (HR|S|HJRES|SJRES|HCONRES|SCONRES|HRES|SRES) (\d+) (\w+)", ns_title, re.I
        )
        if m:
            bid, code = bill_id(m.group(1), m.group(2), m.group(3)), m.group(4).lower()
    else:
        congress = text_of(root.find(".//congress"))
        number = text_of(root.find(".//legis-num"))
        m = re.search(r"(\d+)", congress or "")
        n = re.match(r"(H\. ?R\.|S\.)\s*(\d+)", number or "")
        if m and n:
            bid = bill_id(m.group(1), n.group(1), n.group(2))
        code = root.get("bill-stage")
    body = next((e for e in root.iter() if local(e.tag) in ("main", "legis-body")), root)
    title = next(
        (text_of(e) for e in root.iter() if local(e.tag) in ("officialTitle", "official-title")),
        None,
    )
    after: list[str] = []
    _render(body, "deleted", after)
    amended = any(e.get("changed") in ("added", "deleted") for e in body.iter())
    before: list[str] | None = None
    if amended:
        before = []
        _render(body, "added", before)
    return BillText(bid, code, title, _clean(after), _clean(before) if before is not None else None)
