"""Sync watched bills from congress.gov; find new bills by title search.

A watched bill is fetched again only when its ``updateDateIncludingText``
moved; then every sub-resource is fetched (all pages) and merged.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from kb.errors import FetchError, KbError, ParseError
from kb.net.syncreport import SourceReport
from kb.records import now_iso
from kb.store.bills import upsert_bill
from kb.store.load import Provenance, set_sync_state
from kb.watchlist import BillSearch
from scrapers.congress_gov import PARTS, SOURCE
from scrapers.congress_gov.fetch import CongressClient
from scrapers.congress_gov.parse import BillBundle, classify, load, parse_bill_list, parse_bundle


def _prov(result) -> Provenance:
    a = result.archived
    return Provenance(SOURCE, a.url, a.sha256, a.path, a.fetched_at, a.status)


def search_bills(
    db: Database, client: CongressClient, searches: tuple[BillSearch, ...], report: SourceReport
) -> list[str]:
    """Bills whose titles match a search, listed incrementally by update date."""
    found: set[str] = set(
        json.loads(
            (
                db.execute(
                    "select watermark from sync_state where key = ?", [f"{SOURCE}:found"]
                ).fetchone()
                or ["[]"]
            )[0]
            or "[]"
        )
    )
    for search in searches:
        terms = [t.lower() for t in search.terms]
        for congress in search.congresses:
            key = f"{SOURCE}:search:{congress}:{'|'.join(sorted(terms))}"
            since = (
                db.execute("select watermark from sync_state where key = ?", [key]).fetchone()
                or [None]
            )[0]
            newest = since
            try:
                result = client.bills_updated(congress, since)
                while True:
                    listed, next_url = parse_bill_list(
                        load(result.body, item=result.url), item=result.url
                    )
                    report.counts["bill list pages"] += 1
                    for bill in listed:
                        if bill.update_date and (newest is None or bill.update_date > newest):
                            newest = bill.update_date
                        if bill.title and any(t in bill.title.lower() for t in terms):
                            found.add(bill.id)
                    if not next_url or not listed:
                        break
                    result = client.follow(next_url)
            except (FetchError, ParseError) as exc:
                report.fail(db, "sync", KbError(str(exc), item=f"congress.gov search {congress}"))
                continue
            set_sync_state(
                db,
                key,
                source=SOURCE,
                scope=f"search {congress}",
                watermark=newest,
                last_finished=now_iso(),
                last_status="ok",
            )
    set_sync_state(
        db,
        f"{SOURCE}:found",
        source=SOURCE,
        scope="bills found by search",
        watermark=json.dumps(sorted(found)),
    )
    report.counts["bills found by search"] = len(found)
    return sorted(found)


def sync_bill(db: Database, client: CongressClient, bid: str, report: SourceReport) -> None:
    key = f"{SOURCE}:bill:{bid}"
    try:
        main = client.bill(bid)
        doc = load(main.body, item=bid)
        stamp = doc["bill"].get("updateDateIncludingText") or doc["bill"].get("updateDate")
    except (FetchError, ParseError, KeyError) as exc:
        permanent = getattr(exc, "status", None) == 404
        report.fail(db, "sync", KbError(str(exc), item=bid), permanent=permanent)
        return
    state = db.execute("select watermark from sync_state where key = ?", [key]).fetchone()
    if state and state[0] == stamp:
        report.counts["bills unchanged"] += 1
        return
    bundle = BillBundle(bid)
    bundle.add("bill", doc)
    try:
        for part in PARTS:
            result = client.part(bid, part)
            while True:
                page = load(result.body, item=f"{bid}/{part}")
                kind = classify(page)
                if kind is None:
                    raise ParseError(f"unexpected {part} response", item=bid, source=SOURCE)
                bundle.add(kind, page)
                next_url = (page.get("pagination") or {}).get("next")
                if not next_url:
                    break
                result = client.follow(next_url)
        record = parse_bundle(bundle, item=bid)
    except (FetchError, ParseError) as exc:
        report.fail(db, "sync", KbError(str(exc), item=bid))
        return
    load_result = upsert_bill(db, record, _prov(main))
    report.counts[
        "bills updated" if load_result.created or load_result.changed else "bills unchanged"
    ] += 1
    set_sync_state(
        db,
        key,
        source=SOURCE,
        scope=bid,
        watermark=stamp,
        last_finished=now_iso(),
        last_status="ok",
    )


def sync_congress(
    db: Database, client: CongressClient, bill_ids: list[str], searches: tuple[BillSearch, ...]
) -> tuple[SourceReport, list[str]]:
    report = SourceReport(SOURCE)
    found = search_bills(db, client, searches, report) if searches else []
    for bid in sorted(set(bill_ids) | set(found)):
        sync_bill(db, client, bid, report)
    return report, found
