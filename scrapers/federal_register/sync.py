"""Sync Federal Register searches, splitting date windows the 10,000 cap cuts off."""

from __future__ import annotations

from datetime import date, timedelta

from sqlite_utils import Database

from kb.errors import FetchError, KbError, ParseError
from kb.net.syncreport import SourceReport
from kb.records import now_iso
from kb.store.links import upsert_links
from kb.store.load import Provenance, set_sync_state, upsert_documents
from kb.watchlist import FederalRegisterSearch
from scrapers.federal_register import SOURCE
from scrapers.federal_register.fetch import FederalRegisterClient
from scrapers.federal_register.parse import FrDocument, is_regulations_docket, load, parse_search


def conditions_of(search: FederalRegisterSearch) -> list[tuple[str, str]]:
    out = [("conditions[agencies][]", a) for a in search.agencies]
    if search.term:
        out.append(("conditions[term]", search.term))
    out += [("conditions[docket_id]", d) for d in search.dockets]
    return out


def _prov(result) -> Provenance:
    a = result.archived
    return Provenance(SOURCE, a.url, a.sha256, a.path, a.fetched_at, a.status)


def search_window(
    db: Database,
    client: FederalRegisterClient,
    conditions: list[tuple[str, str]],
    gte: date,
    lte: date,
    report: SourceReport,
) -> None:
    """Every document of one window; a truncated count splits the window in two."""
    result = client.search(conditions, gte.isoformat(), lte.isoformat())
    page = parse_search(load(result.body, item=result.url), item=result.url)
    report.counts["search requests"] += 1
    if page.count >= client.max_results and gte < lte:
        middle = gte + (lte - gte) // 2
        report.counts["windows split"] += 1
        search_window(db, client, conditions, gte, middle, report)
        search_window(db, client, conditions, middle + timedelta(days=1), lte, report)
        return
    while True:
        load_documents(db, page.documents, _prov(result), report)
        if not page.next_page_url or not page.documents:
            break
        result = client.follow(page.next_page_url)
        page = parse_search(load(result.body, item=result.url), item=result.url)
        report.counts["search requests"] += 1


def load_documents(
    db: Database, docs: list[FrDocument], prov: Provenance, report: SourceReport
) -> None:
    stats = upsert_documents(db, [d.record for d in docs], prov)
    report.counts["documents new"] += stats.created
    for d in docs:
        upsert_links(
            db,
            d.record.id,
            [("docket", x, "docket_ids") for x in d.docket_ids if is_regulations_docket(x)],
            method="federalregister",
        )


def sync_federal_register(
    db: Database,
    client: FederalRegisterClient,
    searches: tuple[FederalRegisterSearch, ...],
    today: date,
) -> SourceReport:
    report = SourceReport(SOURCE)
    for search in searches:
        conditions = conditions_of(search)
        key = f"{SOURCE}:" + "&".join(f"{k}={v}" for k, v in conditions)
        mark = (
            db.execute("select watermark from sync_state where key = ?", [key]).fetchone() or [None]
        )[0]
        start = date.fromisoformat(mark) if mark else date.fromisoformat(search.since)
        try:
            search_window(db, client, conditions, start, today, report)
        except (FetchError, ParseError) as exc:
            report.fail(db, "sync", KbError(str(exc), item=key))
            continue
        # Re-read the last day next time: documents can be added to it late.
        set_sync_state(
            db,
            key,
            source=SOURCE,
            scope=key,
            watermark=today.isoformat(),
            last_finished=now_iso(),
            last_status="ok",
        )
    return report
