"""Sync watched bills from GovInfo: BILLSTATUS by sitemap ``lastmod``, then new text versions."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlite_utils import Database

from kb.errors import FetchError, KbError, ParseError
from kb.importer.legislation import GOVINFO_TEXT_URL
from kb.legislation import bill_label
from kb.net.syncreport import SourceReport
from kb.records import RICH_DETAIL, DocumentRecord, Kind, now_iso
from kb.store.bills import upsert_bill, upsert_bill_text
from kb.store.load import Provenance, set_sync_state, upsert_documents
from scrapers.govinfo import SOURCE
from scrapers.govinfo.fetch import GovInfoClient
from scrapers.govinfo.parse import parse_bill_text, parse_billstatus, parse_sitemap


def _prov(result) -> Provenance:
    a = result.archived
    return Provenance(SOURCE, a.url, a.sha256, a.path, a.fetched_at, a.status)


def sync_govinfo(db: Database, client: GovInfoClient, bill_ids: list[str]) -> SourceReport:
    report = SourceReport(SOURCE)
    by_collection: dict[tuple[int, str], list[str]] = defaultdict(list)
    for bid in sorted(set(bill_ids)):
        c, t, _ = bid.split("-")
        by_collection[(int(c), t)].append(bid)
    for (congress, kind), members in sorted(by_collection.items()):
        try:
            result = client.get(client.sitemap_url(congress, kind))
            entries = {e.url: e.lastmod for e in parse_sitemap(result.body, item=result.url)}
        except (FetchError, ParseError) as exc:
            report.fail(db, "sync", KbError(str(exc), item=f"govinfo sitemap {congress}{kind}"))
            continue
        report.counts["sitemaps"] += 1
        for bid in members:
            url = client.billstatus_url(congress, kind, int(bid.split("-")[2]))
            lastmod = entries.get(url)
            key = f"{SOURCE}:billstatus:{bid}"
            if lastmod is None:
                report.counts["not yet published"] += 1
                continue
            state = db.execute("select watermark from sync_state where key = ?", [key]).fetchone()
            if state and state[0] == lastmod:
                report.counts["unchanged"] += 1
                continue
            try:
                fetched = client.get(url)
                record = parse_billstatus(fetched.body, item=bid)
            except (FetchError, ParseError) as exc:
                report.fail(
                    db, "sync", KbError(str(exc), item=bid), permanent=isinstance(exc, ParseError)
                )
                continue
            load = upsert_bill(db, record, _prov(fetched))
            report.counts[
                "bills updated" if load.created or load.changed else "bills unchanged"
            ] += 1
            set_sync_state(
                db,
                key,
                source=SOURCE,
                scope=bid,
                watermark=lastmod,
                last_finished=now_iso(),
                last_status="ok",
            )
        for bid in members:
            sync_texts(db, client, bid, report)
    return report


def sync_texts(db: Database, client: GovInfoClient, bid: str, report: SourceReport) -> None:
    row = db.execute("select text_versions from bills where id = ?", [bid]).fetchone()
    stored = {r[0] for r in db.execute("select code from bill_texts where bill_id = ?", [bid])}
    given_up = {
        r[0]
        for r in db.execute(
            "select item from failures where stage = 'sync' and permanent = 1 and item like ?",
            [f"{bid}/%"],
        )
    }
    for version in json.loads(row[0]) if row and row[0] else []:
        code = version.get("code")
        if not code or code in stored or f"{bid}/{code}" in given_up:
            continue
        c, t, n = bid.split("-")
        url = version.get("url") or GOVINFO_TEXT_URL.format(c=c, t=t, n=n, v=code)
        try:
            fetched = client.get(url)
            text = parse_bill_text(fetched.body, item=url, fmt="xml")
        except (FetchError, ParseError) as exc:
            permanent = isinstance(exc, ParseError) or getattr(exc, "status", None) == 404
            report.fail(
                db,
                "sync",
                KbError(f"text {code}: {exc}", item=f"{bid}/{code}"),
                permanent=permanent,
            )
            continue
        doc_id = f"bill-{bid}-{code}"
        record = DocumentRecord(
            id=doc_id,
            source=SOURCE,
            kind=Kind.BILL_TEXT,
            url=url,
            richness=RICH_DETAIL,
            title=f"{bill_label(bid)} ({c}th Congress), {version.get('name') or code.upper()}",
            document_type="Bill text",
            body=text.text,
            language="en",
            category="government",
            posted_at=f"{version['date']}T00:00:00Z" if version.get("date") else None,
        )
        upsert_documents(db, [record], _prov(fetched))
        upsert_bill_text(
            db,
            bill_id=bid,
            code=code,
            name=version.get("name"),
            date=version.get("date"),
            url=url,
            document_id=doc_id,
            text_before_amendment=text.text_before_amendment,
        )
        report.counts["text versions"] += 1
