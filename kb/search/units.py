"""What the site's search finds: one unit per filing, bill and organisation page, with
the text, headings and facet values that ``kb.search.index`` indexes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup
from sqlite_utils import Database

from kb.render.filings import filing_label
from kb.render.markup import category_label, plain_title
from kb.store import site_query as q
from kb.store.query import export_bills

STANCE_BITS = {"supports": 1, "opposes": 2, "mixed": 4}
FILER_LABEL = {"person": "person", "organization": "organisation", "anonymous": "anonymous"}
#: Weight tiers of "organisations first": what an analyst reads before one-line comments.
TIER_PAGE, TIER_ORGANISATION, TIER_LONG, TIER_SHORT = 3, 2, 1, 0
LONG_CHARS = 2000  # a filing at least this long is an argued one, whoever filed it


@dataclass
class Unit:
    """One search result: a filing, a bill or an organisation."""

    key: str
    url: str
    kind: str
    heading: str
    text: str = ""
    extra: str = ""  # searchable words shown on the page but not in the snippet
    date: str = ""
    docket: str = ""
    category: str = ""
    form_letter: bool = False
    filer: str = ""  # person, organisation or anonymous (filings only)
    tier: int = TIER_SHORT
    stances: dict[str, int] = field(default_factory=dict)


def stance_bits(positions: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Issue → the stances taken on it, as a bit set (a press article can report several)."""
    bits: dict[str, int] = {}
    for p in positions:
        bits[p["issue"]] = bits.get(p["issue"], 0) | STANCE_BITS.get(p["stance"], 0)
    return bits


def units_from_db(db: Database) -> list[Unit]:
    """Every filing (with its attachments' text), bill and organisation page of the site."""
    docs = q.documents(db)
    positions = q.positions_by_document(db)
    campaign_of = {m for c in q.campaigns(db) for m in c["document_ids"]}
    units: list[Unit] = []
    for doc_id, text, _pages in q.texts(db):
        doc = docs[doc_id]
        filer = filer_type(doc)
        units.append(
            Unit(
                key=doc_id,
                url=f"filings/{doc_id}/",
                kind=str(doc.get("kind") or ""),
                heading=f"{filing_label(doc)} ({doc_id})",
                text=text,
                extra=" ".join(str(doc.get(k) or "") for k in ("title", "submitter", "org_name")),
                date=str(doc.get("posted_at") or "")[:10],
                docket=str(doc.get("docket_id") or ""),
                category=category_label(doc.get("category")),
                form_letter=doc_id in campaign_of,
                filer=filer,
                tier=filing_tier(doc, filer, text),
                stances=stance_bits(positions.get(doc_id, [])),
            )
        )
    for bill in export_bills(db):
        units.append(bill_unit(bill))
    filed, held = q.filings_by_org(docs), q.positions_by_holder(positions)
    for org in q.organizations(db):
        if org["id"] not in filed and org["id"] not in held:  # as the site lists them
            continue
        quotes = [qt.get("text", "") for p in held[org["id"]] for qt in p.get("quotes") or []]
        units.append(
            Unit(
                key=org["id"],
                url=f"organizations/{org['id']}/",
                kind="organisation",
                heading=plain_title(org["name"]) or org["id"],
                text="\n".join(quotes),
                extra=" ".join(org.get("aliases") or []),
                category=category_label(org.get("category")),
                tier=TIER_PAGE,
                stances=stance_bits(held[org["id"]]),
            )
        )
    return units


def filer_type(doc: dict[str, Any]) -> str:
    """Person, organisation or anonymous for a comment (as its title tells, or its resolved
    organisation); empty for other kinds of document."""
    if doc.get("kind") != "comment":
        return ""
    if doc.get("org_ids"):
        return "organisation"
    return FILER_LABEL.get(str(doc.get("filer_type") or ""), "")


def filing_tier(doc: dict[str, Any], filer: str, text: str) -> int:
    """Organisations' filings and agencies' documents above argued comments of individuals,
    those above short ones."""
    if filer == "organisation" or (doc.get("kind") != "comment" and doc.get("kind")):
        return TIER_ORGANISATION
    return TIER_LONG if len(text) >= LONG_CHARS else TIER_SHORT


def bill_unit(bill: dict[str, Any]) -> Unit:
    sponsor = (bill.get("sponsor") or {}).get("name") or ""
    summaries = " ".join(
        BeautifulSoup(s.get("text") or "", "html.parser").get_text(" ")
        for s in bill.get("summaries") or []
    )
    latest = (bill.get("latest_action") or {}).get("text") or ""
    text = "\n".join(
        t
        for t in (
            bill.get("title") or "",
            f"Sponsor: {sponsor}" if sponsor else "",
            f"Latest action: {latest}" if latest else "",
            summaries,
        )
        if t
    )
    extra = " ".join(
        [
            str(bill.get("short_title") or ""),
            f"{bill.get('type') or ''} {bill.get('number') or ''}",
            " ".join(c.get("name") or "" for c in bill.get("cosponsors") or []),
            " ".join(a.get("text") or "" for a in bill.get("actions") or []),
            " ".join(bill.get("subjects") or []),
            str(bill.get("policy_area") or ""),
        ]
    )
    return Unit(
        key=bill["id"],
        url=f"bills/{bill['id']}/",
        kind="bill",
        heading=f"{bill.get('short_title') or bill.get('title') or bill['id']} ({bill['id']})",
        text=text,
        extra=extra,
        date=str(bill.get("introduced") or "")[:10],
        tier=TIER_PAGE,
    )
