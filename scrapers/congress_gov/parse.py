"""Pure parsers for congress.gov v3 bill responses."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

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
from scrapers.congress_gov import SOURCE
from scrapers.govinfo.parse import _short_title, chamber_of, congress_url

_VERSION = re.compile(r"BILLS-\d+[a-z]+\d+([a-z]+)\b")


def load(body: bytes | str, *, item: str) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"invalid JSON: {exc}", item=item, source=SOURCE) from None
    if not isinstance(doc, dict):
        raise ParseError("not a congress.gov response object", item=item, source=SOURCE)
    if "error" in doc and len(doc) <= 2:
        raise ParseError(f"error response: {doc['error']}", item=item, source=SOURCE)
    return doc


def classify(doc: dict[str, Any]) -> str | None:
    """``bill``, ``bills`` (a list page), a sub-resource name, or None."""
    if isinstance(doc.get("bill"), dict):
        return "bill"
    if isinstance(doc.get("bills"), list):
        return "bills"
    request = doc.get("request") or {}
    if "billNumber" in request:
        for key, name in (
            ("actions", "actions"),
            ("cosponsors", "cosponsors"),
            ("committees", "committees"),
            ("relatedBills", "relatedbills"),
            ("subjects", "subjects"),
            ("summaries", "summaries"),
            ("textVersions", "text"),
            ("titles", "titles"),
            ("amendments", "amendments"),
        ):
            if key in doc:
                return name
    return None


def request_bill_id(doc: dict[str, Any], item: str) -> str:
    req = doc.get("request") or {}
    try:
        return bill_id(req["congress"], req["billType"], req["billNumber"])
    except KeyError as exc:
        raise ParseError(
            f"sub-resource without {exc.args[0]} in request", item=item, source=SOURCE
        ) from None


def _date(value: Any) -> str | None:
    if not value:
        return None
    value = str(value)
    return value[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]) else None


def _member(m: dict[str, Any]) -> Member:
    return Member(
        name=m.get("fullName") or " ".join(p for p in (m.get("firstName"), m.get("lastName")) if p),
        bioguide_id=m.get("bioguideId"),
        party=m.get("party"),
        state=m.get("state"),
        district=str(m["district"]) if m.get("district") is not None else None,
        date=_date(m.get("sponsorshipDate")),
        withdrawn=_date(m.get("sponsorshipWithdrawnDate")),
        original=m.get("isOriginalCosponsor"),
    )


@dataclass
class BillBundle:
    """The responses about one bill, gathered before they become a record."""

    id: str
    main: dict[str, Any] | None = None
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, kind: str, doc: dict[str, Any]) -> None:
        if kind == "bill":
            self.main = doc["bill"]
        elif kind in self.parts:
            # A further page of the same sub-resource: extend its list.
            key = _LIST_KEY[kind]
            existing = self.parts[kind]
            if isinstance(existing.get(key), list) and isinstance(doc.get(key), list):
                existing[key] = existing[key] + doc[key]
        else:
            self.parts[kind] = doc


_LIST_KEY = {
    "actions": "actions",
    "cosponsors": "cosponsors",
    "committees": "committees",
    "relatedbills": "relatedBills",
    "subjects": "subjects",
    "summaries": "summaries",
    "text": "textVersions",
    "titles": "titles",
    "amendments": "amendments",
}


def _actions(bundle: BillBundle) -> tuple[BillAction, ...]:
    """The bill's actions by date, one per date and text (preferring one with a code)."""
    actions: tuple[BillAction, ...] = ()
    if "actions" in bundle.parts:
        merged: dict[tuple[str, str], BillAction] = {}
        for a in bundle.parts["actions"].get("actions", []):
            date, text = _date(a.get("actionDate")), a.get("text")
            if not date or not text:
                continue
            action = BillAction(
                date=date,
                text=text,
                code=a.get("actionCode"),
                type=a.get("type"),
                source=(a.get("sourceSystem") or {}).get("name"),
            )
            action = BillAction(**{**action.__dict__, "chamber": chamber_of(action)})
            if (date, text) not in merged or (action.code and not merged[(date, text)].code):
                merged[(date, text)] = action
        actions = tuple(sorted(merged.values(), key=lambda a: a.date))
    return actions


def _titles(bundle: BillBundle) -> tuple[dict[str, Any], ...]:
    """The bill's titles: type, title, text version code and chamber of each."""
    return tuple(
        {
            "type": t.get("titleType"),
            "title": t.get("title"),
            "version_code": t.get("billTextVersionCode"),
            "chamber": t.get("chamberName"),
        }
        for t in bundle.parts.get("titles", {}).get("titles", [])
    )


def _committees(bundle: BillBundle, item: str) -> tuple[dict[str, Any], ...]:
    """The committees the bill went to, with the dated activities of each."""
    return tuple(
        {
            "system_code": c.get("systemCode"),
            "name": c.get("name"),
            "chamber": c.get("chamber"),
            "type": c.get("type"),
            "activities": [
                {"name": a.get("name"), "date": utc_iso(a.get("date"), item=item)}
                for a in c.get("activities", [])
            ],
        }
        for c in bundle.parts.get("committees", {}).get("committees", [])
    )


def _related(bundle: BillBundle) -> list[RelatedBill]:
    """The related bills, with the first relationship given for each."""
    related = []
    for r in bundle.parts.get("relatedbills", {}).get("relatedBills", []):
        details = r.get("relationshipDetails") or [{}]
        related.append(
            RelatedBill(
                bill_id(r["congress"], r["type"], r["number"]),
                r.get("title"),
                details[0].get("type"),
                details[0].get("identifiedBy"),
            )
        )
    return related


def _text_versions(bundle: BillBundle) -> list[TextVersion]:
    """The bill's text versions, each with its XML address (else its first address)."""
    versions = []
    for v in bundle.parts.get("text", {}).get("textVersions", []):
        urls = [f.get("url") for f in v.get("formats", []) if f.get("url")]
        url = next((u for u in urls if u.endswith(".xml")), urls[0] if urls else None)
        match = _VERSION.search(url or "")
        versions.append(
            TextVersion(
                match.group(1) if match else None, v.get("type") or "", _date(v.get("date")), url
            )
        )
    return versions


def _latest_action(main: dict[str, Any]) -> BillAction | None:
    """The bill's latest action, when it has both a date and a text."""
    latest = main.get("latestAction") or {}
    return (
        BillAction(date=_date(latest.get("actionDate")) or "", text=latest["text"])
        if latest.get("text") and latest.get("actionDate")
        else None
    )


def _summaries(bundle: BillBundle, item: str) -> tuple[Summary, ...]:
    """The bill's CRS summaries."""
    return tuple(
        Summary(
            s.get("versionCode"),
            _date(s.get("actionDate")),
            s.get("actionDesc"),
            s.get("text") or "",
            utc_iso(s.get("updateDate"), item=item),
        )
        for s in bundle.parts.get("summaries", {}).get("summaries", [])
    )


def parse_bundle(bundle: BillBundle, *, item: str) -> BillRecord:
    """One BillRecord from a bill response and whichever sub-resources came with it."""
    main = bundle.main or {}
    congress, kind, number = bundle.id.split("-")
    parts = set(bundle.parts)
    if main:
        parts.add("bill")
    actions = _actions(bundle)
    titles = _titles(bundle)
    committees = _committees(bundle, item)
    related = _related(bundle)
    subjects_doc = bundle.parts.get("subjects", {}).get("subjects", {})
    versions = _text_versions(bundle)
    sponsors = main.get("sponsors") or []
    latest_action = _latest_action(main)
    return BillRecord(
        id=bundle.id,
        congress=int(congress),
        type=kind,
        number=int(number),
        source=SOURCE,
        url=congress_url(int(congress), kind, int(number)),
        title=main.get("title"),
        short_title=_short_title(list(titles)) if titles else None,
        introduced=_date(main.get("introducedDate")),
        origin_chamber=main.get("originChamber"),
        update_date=utc_iso(main.get("updateDate"), item=item),
        update_date_including_text=utc_iso(main.get("updateDateIncludingText"), item=item),
        sponsor=_member(sponsors[0]) if sponsors else None,
        cosponsors=tuple(
            _member(c) for c in bundle.parts.get("cosponsors", {}).get("cosponsors", [])
        ),
        actions=actions,
        committees=committees,
        related=tuple(related),
        subjects=tuple(
            s["name"] for s in subjects_doc.get("legislativeSubjects", []) if s.get("name")
        ),
        policy_area=(subjects_doc.get("policyArea") or main.get("policyArea") or {}).get("name"),
        summaries=_summaries(bundle, item),
        titles=titles,
        text_versions=tuple(sorted(versions, key=lambda v: v.date or "")),
        latest_action=latest_action,
        layout_rank=3,
        parts=frozenset(_PART_FIELDS[p] for p in parts if p in _PART_FIELDS),
    )


_PART_FIELDS = {
    "bill": "bill",
    "actions": "actions",
    "cosponsors": "cosponsors",
    "committees": "committees",
    "relatedbills": "related",
    "subjects": "subjects",
    "summaries": "summaries",
    "text": "text",
    "titles": "titles",
}


@dataclass(frozen=True)
class ListedBill:
    id: str
    title: str | None
    update_date: str | None
    update_date_including_text: str | None
    latest_action: dict[str, Any] | None


def parse_bill_list(doc: dict[str, Any], *, item: str) -> tuple[list[ListedBill], str | None]:
    """A ``/bill`` list page: its bills and the next page's URL."""
    out = []
    for b in doc.get("bills", []):
        try:
            bid = bill_id(b["congress"], b["type"], b["number"])
        except KeyError as exc:
            raise ParseError(
                f"listed bill without {exc.args[0]}", item=item, source=SOURCE
            ) from None
        out.append(
            ListedBill(
                bid,
                b.get("title"),
                utc_iso(b.get("updateDate"), item=item),
                utc_iso(b.get("updateDateIncludingText"), item=item),
                b.get("latestAction"),
            )
        )
    return out, (doc.get("pagination") or {}).get("next")
