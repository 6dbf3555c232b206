"""Read-side queries of the store: status, search, exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

DOCUMENT_EXPORT_FIELDS = (
    "id",
    "source",
    "kind",
    "docket_id",
    "title",
    "organization",
    "submitter",
    "category",
    "language",
    "posted_at",
    "url",
    "campaign_id",
)


def status_report(db: Database) -> dict[str, Any]:
    """Counts per docket and kind, extraction and other failures, sync state."""
    counts = [
        dict(r)
        for r in db.query(
            "select coalesce(docket_id, '(none)') as docket_id, kind, count(*) as n, "
            "sum(coalesce(withdrawn, 0)) as withdrawn from documents group by 1, 2 order by 1, 2"
        )
    ]
    attachments = [
        dict(r)
        for r in db.query(
            "select d.docket_id, a.format, a.status, count(*) as n from attachments a "
            "join documents d on d.id = a.document_id group by 1, 2, 3 order by 1, 2, 3"
        )
    ]
    failures = [
        dict(r)
        for r in db.query(
            "select stage, source, item, error, recorded_at, permanent from failures "
            "order by stage, item"
        )
    ]
    extraction = [
        dict(r)
        for r in db.query("select id, error from attachments where status = 'failed' order by id")
    ]
    sync = [dict(r) for r in db.query("select * from sync_state order by key")]
    latest = db.execute("select max(recorded_at), max(upstream_date) from events").fetchone()
    return {
        "documents": counts,
        "attachments": attachments,
        "extraction_failures": extraction,
        "failures": failures,
        "sync": sync,
        "events": db.table("events").count,
        "last_recorded": latest[0],
        "newest_upstream_date": latest[1],
    }


def search(db: Database, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Ranked full-text hits (bm25, title weighted) with a snippet."""
    fts_query = db.quote_fts(query)
    sql = """
        select d.id, d.title, d.submitter, d.kind, d.docket_id, d.posted_at,
               snippet(documents_fts, 3, '[', ']', ' … ', 16) as snippet,
               bm25(documents_fts, 5.0, 2.0, 2.0, 1.0) as score
        from documents_fts join documents d on d.rowid = documents_fts.rowid
        where documents_fts match ?
        order by score
        limit ?
    """
    return [dict(r) for r in db.query(sql, [fts_query, limit])]


def _columns(db: Database, table: str) -> set[str]:
    return set(db[table].columns_dict)


def export_documents(db: Database, *, with_text: bool = False) -> Iterator[dict[str, Any]]:
    cols = _columns(db, "documents")
    select = [f if f in cols else f"null as {f}" for f in DOCUMENT_EXPORT_FIELDS]
    if with_text:
        select += ["text", "pages"]
    for row in db.query(f"select {', '.join(select)} from documents order by id"):
        out = dict(row)
        if with_text:
            out["text"] = out["text"] or ""
            out["pages"] = json.loads(out["pages"]) if out["pages"] else None
        yield out
