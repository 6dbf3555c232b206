"""``kb sync``: walk the watchlist and run each source's scraper."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from kb.net.archive import Archive
from kb.net.fetcher import Fetcher
from kb.net.syncreport import SourceReport
from kb.settings import FetchSettings
from kb.watchlist import Watchlist, load_watchlist

SOURCES = (
    "regulations.gov",
    "govinfo",
    "congress.gov",
    "federalregister.gov",
    "copyright.gov",
    "press",
)


def _mirror(env_var: str):
    """Rewrite absolute URLs of watched pages and feeds onto a mirror (tests: loopback)."""
    base = os.environ.get(env_var)
    if not base:
        return lambda url: url

    def rewrite(url: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        return base.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")

    return rewrite


def watched_bills(db: Database, watchlist: Watchlist) -> list[str]:
    ids = {b.id for b in watchlist.bills}
    row = db.execute("select watermark from sync_state where key = 'congress.gov:found'").fetchone()
    if row and row[0]:
        ids |= set(json.loads(row[0]))
    return sorted(ids)


def _sync_dockets(
    db: Database, archive: Archive, fetcher: Fetcher, watchlist: Watchlist, retry_failed: bool
) -> tuple[list[str], int]:
    """Sync each watched regulations.gov docket: summary lines and how many had errors."""
    from scrapers.regulations_gov.fetch import RegsClient
    from scrapers.regulations_gov.sync import DocketSync

    lines: list[str] = []
    failed = 0
    client = RegsClient(fetcher)
    for docket in watchlist.dockets:
        if docket.source != "regulations.gov":
            continue
        report = DocketSync(
            db,
            client,
            archive,
            docket.id,
            extra_ids=docket.documents,
            retry_failed=retry_failed,
        ).run()
        lines.append(report.summary())
        lines.extend(f"  error: {e}" for e in report.errors[:20])
        failed += bool(report.errors)
    return lines, failed


def _source_reports(
    db: Database, archive: Archive, fetcher: Fetcher, watchlist: Watchlist, wanted: set[str]
) -> list[SourceReport]:
    """Sync the wanted bill, Federal Register, page and press sources; a report for each."""
    reports: list[SourceReport] = []
    if "congress.gov" in wanted and (watchlist.bills or watchlist.bill_searches):
        from scrapers.congress_gov.fetch import CongressClient
        from scrapers.congress_gov.sync import sync_congress

        reports.append(
            sync_congress(
                db,
                CongressClient(fetcher),
                [b.id for b in watchlist.bills],
                watchlist.bill_searches,
            )[0]
        )
    if "govinfo" in wanted and watchlist.bills:
        from scrapers.govinfo.fetch import GovInfoClient
        from scrapers.govinfo.sync import sync_govinfo

        reports.append(sync_govinfo(db, GovInfoClient(fetcher), watched_bills(db, watchlist)))
    if "federalregister.gov" in wanted and watchlist.federal_register:
        from scrapers.federal_register.fetch import FederalRegisterClient
        from scrapers.federal_register.sync import sync_federal_register

        today = datetime.now(UTC).date()
        reports.append(
            sync_federal_register(
                db, FederalRegisterClient(fetcher), watchlist.federal_register, today
            )
        )
    if "copyright.gov" in wanted and watchlist.pages:
        from scrapers.copyright_office.sync import sync_pages

        reports.append(
            sync_pages(db, fetcher, archive, watchlist.pages, _mirror("KB_PAGES_MIRROR"))
        )
    if "press" in wanted and watchlist.feeds:
        from scrapers.feeds.sync import sync_feeds

        reports.append(sync_feeds(db, fetcher, watchlist.feeds, _mirror("KB_FEEDS_MIRROR")))
    return reports


def run_sync(
    db: Database,
    archive: Archive,
    *,
    watchlist_path: Path | None = None,
    sources: tuple[str, ...] = (),
    retry_failed: bool = False,
    fetch_settings: FetchSettings | None = None,
) -> tuple[list[str], int]:
    """Sync every watched item; returns summary lines and how many sources had errors.

    One line per source, indented lines under it (its errors), and last an indented
    line of what the fetcher did: requests and transient faults, by kind."""
    watchlist = load_watchlist(watchlist_path)
    fetcher = Fetcher(archive, fetch_settings)
    wanted = set(sources or SOURCES)
    lines: list[str] = []
    failed = 0
    if "regulations.gov" in wanted:
        lines, failed = _sync_dockets(db, archive, fetcher, watchlist, retry_failed)
    reports = _source_reports(db, archive, fetcher, watchlist, wanted)
    if wanted & {"govinfo", "congress.gov"}:
        from kb.store.bills import refresh_families

        refresh_families(db)
    for source_report in reports:
        lines.append(source_report.summary())
        lines.extend(f"  error: {e}" for e in source_report.errors[:20])
        failed += bool(source_report.errors)
    lines.append(f"  fetcher: {fetcher.summary()}")
    return lines, failed
