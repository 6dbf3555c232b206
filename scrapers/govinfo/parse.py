"""Pure parsers for GovInfo BILLSTATUS XML, bill text and bulk-data sitemaps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from kb.errors import ParseError
from kb.records import (
    BillAction,
    BillRecord,
    Member,
    RelatedBill,
    Summary,
    TextVersion,
    bill_id,
    utc_iso,
)
from kb.xml import local, parse_xml, text_of
from scrapers.govinfo import SOURCE
from scrapers.govinfo.parse_text import BillText, parse_bill_text, version_code

_TYPE_PATH = {
    "hr": "house-bill",
    "s": "senate-bill",
    "hjres": "house-joint-resolution",
    "sjres": "senate-joint-resolution",
    "hconres": "house-concurrent-resolution",
    "sconres": "senate-concurrent-resolution",
    "hres": "house-resolution",
    "sres": "senate-resolution",
}
SHORT_TITLE_ORDER = ("Enacted", "Passed", "Reported", "Introduced")


def congress_url(congress: int, kind: str, number: int) -> str:
    return f"https://www.congress.gov/bill/{congress}th-congress/{_TYPE_PATH[kind]}/{number}"


def _t(element: Element | None, path: str) -> str | None:
    return text_of(element.find(path)) if element is not None else None


def _items(element: Element | None, *paths: str) -> list[Element]:
    """Children ``item`` of the first path that exists (layouts differ)."""
    if element is None:
        return []
    for path in paths:
        found = element.find(path)
        if found is not None:
            return [c for c in found if local(c.tag) in ("item", "summary")]
    return []


def _date(value: str | None, item: str) -> str | None:
    if not value:
        return None
    return (
        value[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]) else utc_iso(value, item=item)
    )


def _member(el: Element, item: str) -> Member:
    withdrawn = _t(el, "sponsorshipWithdrawnDate")
    original = _t(el, "isOriginalCosponsor")
    return Member(
        name=_t(el, "fullName")
        or " ".join(p for p in (_t(el, "firstName"), _t(el, "lastName")) if p),
        bioguide_id=_t(el, "bioguideId"),
        party=_t(el, "party"),
        state=_t(el, "state"),
        district=_t(el, "district"),
        date=_date(_t(el, "sponsorshipDate"), item),
        withdrawn=_date(withdrawn, item),
        original=None if original is None else original.lower() in ("true", "y", "yes"),
    )


def chamber_of(action: BillAction) -> str | None:
    code = action.code or ""
    source = (action.source or "").lower()
    if source.startswith("senate") or (
        code.startswith(("1", "S")) and code[:2] in ("10", "11", "13", "14", "17")
    ):
        return "Senate"
    if (
        source.startswith("house")
        or code.startswith("H")
        or code in ("1000", "2000", "5000", "8000")
    ):
        return "House"
    text = action.text.lower()
    if "senate" in text:
        return "Senate"
    if "house" in text:
        return "House"
    return None


def parse_actions(bill: Element, item: str) -> tuple[BillAction, ...]:
    """Actions oldest first, with duplicates (same day, same text) merged."""
    merged: dict[tuple[str, str], BillAction] = {}
    for el in _items(bill, "actions"):
        date = _date(_t(el, "actionDate"), item)
        text = _t(el, "text")
        if not date or not text:
            continue
        action = BillAction(
            date=date,
            text=text,
            code=_t(el, "actionCode"),
            type=_t(el, "type"),
            source=_t(el, "sourceSystem/name"),
        )
        action = BillAction(**{**action.__dict__, "chamber": chamber_of(action)})
        key = (date, text)
        if key not in merged or (action.code and not merged[key].code):
            merged[key] = action
    return tuple(sorted(merged.values(), key=lambda a: a.date))


def _short_title(titles: list[dict[str, str | None]]) -> str | None:
    for stage in SHORT_TITLE_ORDER:
        for title in titles:
            kind = title.get("type") or ""
            if kind.startswith("Short Title") and stage in kind:
                return title.get("title")
    return None


def _titles(bill: Element) -> list[dict[str, str | None]]:
    """The bill's titles: type, title, text version code and chamber of each."""
    return [
        {
            "type": _t(el, "titleType"),
            "title": _t(el, "title"),
            "version_code": _t(el, "billTextVersionCode"),
            "chamber": _t(el, "chamberName"),
        }
        for el in _items(bill, "titles")
    ]


def _committees(bill: Element, bid: str) -> list[dict[str, object]]:
    """The committees the bill went to, with the dated activities of each."""
    committees: list[dict[str, object]] = []
    for el in _items(bill, "committees/billCommittees", "committees"):
        committees.append(
            {
                "system_code": _t(el, "systemCode"),
                "name": _t(el, "name"),
                "chamber": _t(el, "chamber"),
                "type": _t(el, "type"),
                "activities": [
                    {"name": _t(a, "name"), "date": utc_iso(_t(a, "date"), item=bid)}
                    for a in _items(el, "activities")
                ],
            }
        )
    return committees


def _related(bill: Element) -> list[RelatedBill]:
    """The related bills that name their congress, type and number."""
    related = []
    for el in _items(bill, "relatedBills"):
        rc, rt, rn = _t(el, "congress"), _t(el, "type"), _t(el, "number")
        if not (rc and rt and rn):
            continue
        details = _items(el, "relationshipDetails")
        related.append(
            RelatedBill(
                id=bill_id(rc, rt, rn),
                title=_t(el, "title") or _t(el, "latestTitle"),
                relationship=_t(details[0], "type") if details else None,
                identified_by=_t(details[0], "identifiedBy") if details else None,
            )
        )
    return related


def _subjects(bill: Element) -> tuple[tuple[str, ...], str | None]:
    """The bill's legislative subjects and its policy area."""
    subjects_root = bill.find("subjects/billSubjects")
    if subjects_root is None:
        subjects_root = bill.find("subjects")
    subjects = tuple(
        s for s in (_t(el, "name") for el in _items(subjects_root, "legislativeSubjects")) if s
    )
    policy = _t(subjects_root, "policyArea/name") or _t(bill, "policyArea/name")
    return subjects, policy


def _summaries(bill: Element, bid: str) -> tuple[Summary, ...]:
    """The bill's CRS summaries."""
    return tuple(
        Summary(
            version_code=_t(el, "versionCode"),
            action_date=_date(_t(el, "actionDate"), bid),
            action_desc=_t(el, "actionDesc") or _t(el, "name"),
            text=_t(el, "text") or "",
            update_date=utc_iso(_t(el, "updateDate"), item=bid),
        )
        for el in _items(bill, "summaries/billSummaries", "summaries")
    )


def _text_versions(bill: Element, bid: str) -> list[TextVersion]:
    """The bill's text versions, each with its XML address (else its first address)."""
    versions = []
    for el in _items(bill, "textVersions"):
        urls = [text_of(u) for u in el.iter() if local(u.tag) == "url"]
        url = next((u for u in urls if u and u.endswith(".xml")), urls[0] if urls else None)
        versions.append(
            TextVersion(
                code=version_code(url),
                name=_t(el, "type") or "",
                date=_date(_t(el, "date"), bid),
                url=url,
            )
        )
    return versions


def _latest_action(bill: Element, bid: str) -> BillAction | None:
    """The bill's latest action, when it has both a date and a text."""
    latest = bill.find("latestAction")
    latest_action = None
    if latest is not None and _t(latest, "actionDate") and _t(latest, "text"):
        latest_action = BillAction(
            date=_date(_t(latest, "actionDate"), bid) or "", text=_t(latest, "text") or ""
        )
    return latest_action


#: The parts of a bill that a BILLSTATUS file carries.
_BILLSTATUS_PARTS = frozenset(
    {
        "bill",
        "actions",
        "cosponsors",
        "committees",
        "related",
        "subjects",
        "summaries",
        "titles",
        "text",
    }
)


def parse_billstatus(data: bytes | str, *, item: str) -> BillRecord:
    """A BILLSTATUS file in any of its layouts (legacy, 1.0.0, 3.0.0)."""
    root = parse_xml(data, item=item, source=SOURCE)
    bill = root.find("bill") if local(root.tag) == "billStatus" else None
    if bill is None:
        raise ParseError("not a BILLSTATUS document (no billStatus/bill)", item=item, source=SOURCE)
    number = _t(bill, "number") or _t(bill, "billNumber")
    kind = _t(bill, "type") or _t(bill, "billType")
    congress = _t(bill, "congress")
    if not (number and kind and congress):
        raise ParseError("bill lacks number, type or congress", item=item, source=SOURCE)
    bid = bill_id(congress, kind, number)
    sponsors = [_member(el, bid) for el in _items(bill, "sponsors")]
    titles = _titles(bill)
    committees = _committees(bill, bid)
    related = _related(bill)
    subjects, policy = _subjects(bill)
    summaries = _summaries(bill, bid)
    versions = _text_versions(bill, bid)
    kind_l = bid.split("-")[1]
    latest_action = _latest_action(bill, bid)
    return BillRecord(
        id=bid,
        congress=int(congress),
        type=kind_l,
        number=int(number),
        source=SOURCE,
        url=_t(bill, "legislationUrl") or congress_url(int(congress), kind_l, int(number)),
        title=_t(bill, "title"),
        short_title=_short_title(titles),
        introduced=_date(_t(bill, "introducedDate"), bid),
        origin_chamber=_t(bill, "originChamber"),
        update_date=utc_iso(_t(bill, "updateDate"), item=bid),
        update_date_including_text=utc_iso(_t(bill, "updateDateIncludingText"), item=bid),
        sponsor=sponsors[0] if sponsors else None,
        cosponsors=tuple(_member(el, bid) for el in _items(bill, "cosponsors")),
        actions=parse_actions(bill, bid),
        committees=tuple(committees),
        related=tuple(related),
        subjects=subjects,
        policy_area=policy,
        summaries=summaries,
        titles=tuple(titles),
        text_versions=tuple(
            sorted((v for v in versions if v.url or v.date), key=lambda v: v.date or "")
        ),
        latest_action=latest_action,
        layout_rank=_layout_rank(root.findtext("version") or bill.findtext("version")),
        parts=_BILLSTATUS_PARTS,
    )


def _layout_rank(version: str | None) -> int:
    """Legacy files have no version (0); ``1.0.0`` → 1; ``3.0.0`` → 3."""
    match = re.match(r"(\d+)", (version or "").strip())
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: str | None


def parse_sitemap(data: bytes, *, item: str) -> list[SitemapEntry]:
    root = parse_xml(data, item=item, source=SOURCE)
    out = []
    for url in root:
        loc = next((text_of(c) for c in url if local(c.tag) == "loc"), None)
        lastmod = next((text_of(c) for c in url if local(c.tag) == "lastmod"), None)
        if loc:
            out.append(SitemapEntry(loc, utc_iso(lastmod, item=item) if lastmod else None))
    return out


__all__ = ["BillText", "parse_bill_text"]  # re-exported: the text parser is in parse_text
