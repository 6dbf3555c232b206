"""Incremental, resumable sync of watched regulations.gov dockets.

For each docket: the docket record (once), its notices and rules, then every
comment modified since the docket's watermark. A listed record whose stored
detail is as new as the listing is skipped; a detail already in the archive
(for instance fetched just before a crash) is re-read from there, not
requested again; attachments still pending are downloaded once (or re-read
from the archive) and their text extracted. The watermark moves only when
the whole docket went through, so ``kill -9`` at any point is followed by a
sync that redoes list requests only and ends with the same database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlite_utils import Database

from kb.errors import ExtractionError, FetchError, KbError, ParseError, ScrapeError
from kb.extract import extract_text
from kb.net.archive import Archive, ArchivedResponse
from kb.records import RICH_DETAIL, AttachmentRef, DocumentRecord, Kind, now_iso
from kb.store.load import (
    LoadStats,
    Provenance,
    clear_failure,
    load_attachment_content,
    record_failure,
    set_sync_state,
    upsert_docket,
    upsert_documents,
)
from scrapers.regulations_gov import SOURCE
from scrapers.regulations_gov.fetch import RegsClient
from scrapers.regulations_gov.parse import ListPage, parse_detail, parse_docket, parse_list_page
from scrapers.regulations_gov.watermark import watermark_after

log = logging.getLogger(__name__)
PERMANENT_STATUSES = (403, 404, 410)
NON_COMMENT_TYPES = "Notice,Rule,Proposed Rule,Supporting & Related Material,Other"


@dataclass
class SyncReport:
    docket_id: str
    listed: int = 0
    list_requests: int = 0
    details_fetched: int = 0
    details_from_archive: int = 0
    details_skipped: int = 0
    attachments_fetched: int = 0
    attachments_from_archive: int = 0
    loaded: LoadStats = field(default_factory=LoadStats)
    errors: list[KbError] = field(default_factory=list)
    watermark: str | None = None

    def summary(self) -> str:
        return (
            f"{self.docket_id}: {self.listed} listed in {self.list_requests} list requests, "
            f"{self.details_fetched} details fetched ({self.details_from_archive} from archive, "
            f"{self.details_skipped} unchanged), {self.attachments_fetched} attachments "
            f"downloaded ({self.attachments_from_archive} from archive), "
            f"{self.loaded.created} new, {self.loaded.changed} changed, "
            f"{self.loaded.withdrawn} withdrawn, {len(self.errors)} errors"
        )


def provenance_of(entry: ArchivedResponse) -> Provenance:
    return Provenance(
        source=SOURCE,
        url=entry.url,
        sha256=entry.sha256,
        archive_path=entry.path,
        fetched_at=entry.fetched_at,
        http_status=entry.status,
    )


class DocketSync:
    def __init__(
        self,
        db: Database,
        client: RegsClient,
        archive: Archive,
        docket_id: str,
        *,
        extra_ids: tuple[str, ...] = (),
        retry_failed: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.archive = archive
        self.docket_id = docket_id
        self.extra_ids = extra_ids
        self.retry_failed = retry_failed
        self.report = SyncReport(docket_id)
        self.progress = progress or (lambda msg: None)
        self.key = f"{SOURCE}:{docket_id}"

    # -- errors -------------------------------------------------------------
    def fail(self, stage: str, error: KbError, *, permanent: bool = False) -> None:
        log.warning("%s", error)
        self.report.errors.append(error)
        record_failure(self.db, stage, SOURCE, str(error.item), str(error), permanent)

    # -- listing -----------------------------------------------------------
    def _page(
        self, endpoint: str, page: int, ge: str | None, exact: str | None, order: str | None = None
    ) -> ListPage:
        types = NON_COMMENT_TYPES if endpoint == "documents" else None
        try:
            result = self.client.fetch_list_page(
                endpoint, self.docket_id, page, ge, exact=exact, document_types=types, order=order
            )
        except FetchError as exc:
            # The fetcher spent its whole retry budget on this page: the docket stops here.
            raise ScrapeError(
                f"docket abandoned: {endpoint} list page {page} failed ({exc})",
                item=f"{self.docket_id} {endpoint} page {page}",
            ) from None
        self.report.list_requests += 1
        item = result.url
        return parse_list_page(result.body, item=item)

    def list_records(self, endpoint: str, since: str | None) -> Iterator[DocumentRecord]:
        """Every record modified at or after ``since``, past the search cap."""
        cfg = self.client.config
        max_pages = max(cfg.max_results // cfg.page_size, 1)
        seen: set[str] = set()
        cursor = since
        while True:
            new_in_window = 0
            last_ts: str | None = None
            fetched_in_window = 0
            total: int | None = None
            complete = False
            for page in range(1, max_pages + 1):
                listing = self._page(endpoint, page, cursor, None)
                total = listing.total
                fetched_in_window += len(listing.records)
                for record in listing.records:
                    last_ts = record.modified_at or last_ts
                    if record.id not in seen:
                        seen.add(record.id)
                        new_in_window += 1
                        yield record
                if not listing.has_next or not listing.records:
                    complete = total is None or fetched_in_window >= total
                    break
            if complete:
                return
            if last_ts is None:
                raise ScrapeError(
                    "search was cut off but its records carry no dates",
                    item=f"{self.docket_id} {endpoint}",
                )
            if last_ts == cursor or new_in_window == 0:
                # Every record of the window shares one timestamp: list that second by id.
                yield from self._list_exact_second(endpoint, last_ts, seen, max_pages)
                cursor = _next_second(last_ts)
            else:
                cursor = last_ts
            log.info(
                "%s: search capped at %s results; re-seeding at %s",
                self.docket_id,
                cfg.max_results,
                cursor,
            )

    def _list_exact_second(
        self, endpoint: str, ts: str, seen: set[str], max_pages: int
    ) -> Iterator[DocumentRecord]:
        """Records modified in the second ``ts``: by id ascending, then descending.

        Each direction returns at most one search's cap, so together they list up
        to twice the cap; more records in a single second cannot be listed.
        """
        in_second: set[str] = set()
        total: int | None = None
        for order in ("documentId", "-documentId"):
            for page in range(1, max_pages + 1):
                listing = self._page(endpoint, page, None, ts, order)
                total = listing.total
                for record in listing.records:
                    in_second.add(record.id)
                    if record.id not in seen:
                        seen.add(record.id)
                        yield record
                if not listing.has_next or not listing.records:
                    break
            if total is None or len(in_second) >= total:
                return
        raise ScrapeError(
            f"{total} records share the timestamp {ts}, more than two searches can "
            f"return ({self.client.config.max_results} each); {len(in_second)} were listed",
            item=f"{self.docket_id} {endpoint}",
        )

    # -- details -----------------------------------------------------------
    def _stored(self, doc_id: str) -> tuple[int, str | None] | None:
        row = self.db.execute(
            "select richness, modified_at from documents where id = ?", [doc_id]
        ).fetchone()
        return (row[0] or 0, row[1]) if row else None

    def detail(
        self, endpoint: str, listed: DocumentRecord | None, doc_id: str
    ) -> DocumentRecord | None:
        """The detail record of ``doc_id``: skipped when stored, archived, or fetched."""
        stored = self._stored(doc_id)
        listed_ts = listed.modified_at if listed else None
        if (
            stored
            and stored[0] >= RICH_DETAIL
            and (listed is None or (stored[1] or "") >= (listed_ts or ""))
        ):
            self.report.details_skipped += 1
            return None
        url = self.client.detail_url(endpoint, doc_id)
        entry = self.archive.latest(url)
        problems: list[ParseError] = []
        if entry is not None and entry.status == 200:
            body = self.archive.read(entry)
            try:
                record = parse_detail(body, item=doc_id, problems=problems)
                if (record.modified_at or "") >= (listed_ts or ""):
                    self.report.details_from_archive += 1
                    return self._accept(record, entry, problems)
            except ParseError:
                log.info("archived detail of %s unreadable; fetching again", doc_id)
        try:
            if entry is not None and entry.status in PERMANENT_STATUSES:
                raise FetchError(f"HTTP {entry.status}", item=entry.url, status=entry.status)
            result = self.client.fetch_detail(endpoint, doc_id)
        except FetchError as exc:
            self.fail("fetch", KbError(str(exc), item=doc_id), permanent=exc.status == 404)
            return None
        self.report.details_fetched += 1
        assert result.archived is not None
        try:
            record = parse_detail(result.body, item=doc_id, problems=problems)
        except ParseError as exc:
            exc.archive_path = result.archived.path
            self.fail("parse", exc, permanent=True)
            return None
        return self._accept(record, result.archived, problems)

    def _accept(
        self, record: DocumentRecord, entry: ArchivedResponse, problems: list[ParseError]
    ) -> DocumentRecord:
        for problem in problems:
            self.fail("parse", problem, permanent=True)
        self.report.loaded.add(upsert_documents(self.db, [record], provenance_of(entry)))
        clear_failure(self.db, "fetch", record.id)
        clear_failure(self.db, "parse", record.id)
        return record

    # -- attachments -------------------------------------------------------
    def attachments(self) -> None:
        states = ("pending", "failed") if self.retry_failed else ("pending",)
        rows = list(
            self.db.query(
                "select a.* from attachments a join documents d on d.id = a.document_id "
                f"where d.docket_id = ? and a.url is not null and a.status in ({','.join('?' * len(states))}) "
                "order by a.document_id, a.seq",
                [self.docket_id, *states],
            )
        )
        for row in rows:
            ref = AttachmentRef(
                row["document_id"], row["seq"], row["title"], row["format"], row["url"], row["size"]
            )
            self.attachment(ref)

    def attachment(self, ref: AttachmentRef) -> None:
        item = f"{ref.document_id}/{ref.file_name}"
        url = self.client.download_url(ref.url or "")
        entry = self.archive.latest(url)
        if entry is not None and entry.status == 200:
            data = self.archive.read(entry)
            self.report.attachments_from_archive += 1
        else:
            try:
                if entry is not None and entry.status in PERMANENT_STATUSES:
                    # Answered for good before a crash: do not ask again.
                    raise FetchError(f"HTTP {entry.status}", item=entry.url, status=entry.status)
                result = self.client.fetch_attachment(ref.url or "")
            except FetchError as exc:
                permanent = exc.status in PERMANENT_STATUSES
                if permanent:
                    self.db.table("attachments").update(
                        ref.id, {"status": "failed", "error": str(exc)}
                    )
                self.fail(
                    "fetch", KbError(f"download failed: {exc}", item=item), permanent=permanent
                )
                return
            self.report.attachments_fetched += 1
            assert result.archived is not None
            entry, data = result.archived, result.body
        self.progress(item)
        try:
            extracted, error = extract_text(data, ref.format, item=item), None
        except ExtractionError as exc:
            extracted, error = None, str(exc)
            self.report.errors.append(exc)
        load_attachment_content(
            self.db,
            ref,
            sha256=entry.sha256,
            archive_path=entry.path,
            fetched_at=entry.fetched_at,
            extracted=extracted,
            error=error,
            prov=provenance_of(entry),
        )

    # -- the whole docket ----------------------------------------------------
    def _detail_extra_ids(self) -> None:
        """Fetch the detail of each extra watched document, as a document or a comment."""
        for doc_id in self.extra_ids:
            kind = self.db.execute("select kind from documents where id = ?", [doc_id]).fetchone()
            endpoint = "documents" if kind and kind[0] != Kind.COMMENT else "comments"
            self.detail(endpoint, None, doc_id)

    def run(self) -> SyncReport:
        started = now_iso()
        state = (
            self.db.table("sync_state").get(self.key)
            if self.db.table("sync_state").count_where("key = ?", [self.key])
            else {}
        )
        since = state.get("watermark")
        set_sync_state(
            self.db,
            self.key,
            source=SOURCE,
            scope=self.docket_id,
            last_started=started,
            last_status="running",
        )
        max_seen = since
        try:
            if self.db.table("dockets").count_where("id = ?", [self.docket_id]) == 0:
                result = self.client.fetch_docket(self.docket_id)
                assert result.archived is not None
                upsert_docket(
                    self.db,
                    parse_docket(result.body, item=self.docket_id),
                    provenance_of(result.archived),
                )
            for endpoint in ("documents", "comments"):
                for listed in self.list_records(endpoint, since):
                    self.report.listed += 1
                    if listed.modified_at and (max_seen is None or listed.modified_at > max_seen):
                        max_seen = listed.modified_at
                    self.detail(endpoint, listed, listed.id)
                    self.progress(listed.id)
            self._detail_extra_ids()
            self.attachments()
        except (FetchError, ParseError, ScrapeError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            self.fail("sync", KbError(message, item=exc.item or self.docket_id))
            set_sync_state(
                self.db,
                self.key,
                last_status="failed",
                last_finished=now_iso(),
                last_summary=self.report.summary(),
            )
            return self.report
        status, new_mark = watermark_after(self.report.errors, max_seen, since)
        self.report.watermark = new_mark
        set_sync_state(
            self.db,
            self.key,
            watermark=new_mark,
            last_finished=now_iso(),
            last_status=status,
            last_summary=self.report.summary(),
        )
        return self.report


def _next_second(ts: str) -> str:
    from datetime import datetime, timedelta

    parsed = datetime.fromisoformat(ts.replace("Z", "+00:00")) + timedelta(seconds=1)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
