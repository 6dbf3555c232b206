"""Watch pages with conditional GETs; a changed body becomes a changed document."""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime

from sqlite_utils import Database

from kb.errors import ExtractionError, FetchError, KbError, ParseError
from kb.extract import Extracted
from kb.net.archive import Archive
from kb.net.fetcher import Fetcher, FetchResult
from kb.net.syncreport import SourceReport
from kb.records import AttachmentRef, DocumentRecord, now_iso
from kb.store.load import LoadStats, Provenance, load_attachment_content, upsert_documents
from kb.watchlist import WatchedPage
from scrapers.copyright_office import SOURCE
from scrapers.copyright_office.parse import parse_page


def _last_modified(header: str | None) -> str | None:
    if not header:
        return None
    try:
        return parsedate_to_datetime(header).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return None


def _store_page(
    db: Database,
    page: WatchedPage,
    result: FetchResult,
    record: DocumentRecord,
    extracted: Extracted | None,
    known: bool,
    modified: str,
    now: str,
) -> LoadStats:
    """Store a fetched page's document, its PDF text (if any) and its ``pages`` row."""
    assert result.archived is not None
    a = result.archived
    prov = Provenance(SOURCE, a.url, a.sha256, a.path, a.fetched_at, a.status)
    stats = upsert_documents(db, [record], prov)
    if extracted is not None:
        ref = AttachmentRef(record.id, 0, "content", "pdf", page.url, len(result.body))
        load_attachment_content(
            db,
            ref,
            sha256=a.sha256,
            archive_path=a.path,
            fetched_at=a.fetched_at,
            extracted=extracted,
            error=None,
            prov=prov,
        )
        if known:
            # The PDF's text moved, not a field of the record: say so in the events.
            db.table("events").insert(
                {
                    "event": "changed",
                    "record_table": "documents",
                    "record_id": record.id,
                    "upstream_date": modified,
                    "upstream_field": "modified",
                    "recorded_at": now,
                    "summary": f"{record.id} changed: {page.name} has a new version",
                    "details": None,
                }
            )
    db.table("pages").upsert(
        {
            "url": page.url,
            "document_id": record.id,
            "etag": a.etag,
            "last_modified": a.last_modified,
            "sha256": a.sha256,
            "checked_at": now,
            "changed_at": now,
        },
        pk="url",
    )
    return stats


def sync_pages(
    db: Database,
    fetcher: Fetcher,
    archive: Archive,
    pages: tuple[WatchedPage, ...],
    rewrite=lambda url: url,
) -> SourceReport:
    report = SourceReport(SOURCE)
    for page in pages:
        url = rewrite(page.url)
        previous = archive.latest(url)
        state = db.execute("select sha256 from pages where url = ?", [page.url]).fetchone()
        try:
            result = fetcher.get(url, source=SOURCE, conditional=previous if state else None)
        except FetchError as exc:
            report.fail(db, "sync", KbError(str(exc), item=page.url), permanent=exc.status == 404)
            continue
        now = now_iso()
        assert result.archived is not None
        sha = result.archived.sha256
        if result.not_modified or (state and state[0] == sha):
            report.counts["pages unchanged"] += 1
            db.table("pages").upsert({"url": page.url, "checked_at": now}, pk="url")
            continue
        modified = _last_modified(result.headers.get("Last-Modified")) or now
        try:
            record, extracted = parse_page(
                result.body,
                url=page.url,
                name=page.name,
                kind=page.kind,
                content_type=result.headers.get("Content-Type"),
                modified_at=modified,
            )
        except (ParseError, ExtractionError) as exc:
            report.fail(db, "parse", KbError(str(exc), item=page.url), permanent=True)
            continue
        stats = _store_page(db, page, result, record, extracted, bool(state), modified, now)
        report.counts["pages new" if stats.created else "pages changed"] += 1
    return report
