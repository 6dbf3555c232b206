"""``kb sync``: walk the watchlist and run each source's scraper."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from kb.archive import Archive
from kb.fetcher import Fetcher
from kb.settings import FetchSettings
from kb.watchlist import load_watchlist


def run_sync(
    db: Database,
    archive: Archive,
    *,
    watchlist_path: Path | None = None,
    sources: tuple[str, ...] = (),
    retry_failed: bool = False,
    fetch_settings: FetchSettings | None = None,
) -> tuple[list[str], int]:
    """Sync every watched item; returns summary lines and how many had errors."""
    from scrapers.regulations_gov.fetch import RegsClient
    from scrapers.regulations_gov.sync import DocketSync

    watchlist = load_watchlist(watchlist_path)
    fetcher = Fetcher(archive, fetch_settings)
    lines: list[str] = []
    failed = 0
    if not sources or "regulations.gov" in sources:
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
            for error in report.errors[:20]:
                lines.append(f"  error: {error}")
            failed += bool(report.errors)
    return lines, failed
