"""Read-side queries that gather what the site's pages show (rows in, no rendering)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

Row = dict[str, Any]
DOC_FIELDS = (
    "id, source, kind, docket_id, title, submitter, org_name, org_ids, org_category, "
    "category, holders, posted_at, received_at, url, campaign_id, language, comment_on_document_id, "
    "listed_attachments, filer_type"
)


def _doc(row: Row) -> Row:
    out = dict(row)
    out["org_ids"] = json.loads(out["org_ids"]) if out.get("org_ids") else []
    out["listed_attachments"] = json.loads(out.get("listed_attachments") or "[]")
    holders = json.loads(out.pop("holders") or "[]")
    out["holder"] = holders[0] if holders else None
    # The tagger's category wins; an upstream "category" is a regulations.gov filer type.
    # A press article is filed by no one: the people it reports are its holders.
    fallback = "press" if out.get("kind") == "press" else "individual"
    out["category"] = out.pop("org_category") or fallback
    return out


def documents(db: Database) -> dict[str, Row]:
    """Every document's metadata (no text), by id."""
    return {r["id"]: _doc(r) for r in db.query(f"select {DOC_FIELDS} from documents order by id")}


def positions_by_document(db: Database) -> dict[str, list[Row]]:
    """Positions by document; ``review_state`` and ``reviewed_at`` as the reviews left them
    (the published copy, :func:`kb.store.reviews.apply_reviews`)."""
    out: dict[str, list[Row]] = defaultdict(list)
    reviewed = (
        "reviewed_at" if "reviewed_at" in db["positions"].columns_dict else "null as reviewed_at"
    )
    for r in db.query(
        "select document_id, holder, holder_id, issue, stance, confidence, quotes, method, "
        f"review_state, {reviewed} from positions order by document_id, issue, holder"
    ):
        row = dict(r)
        row["quotes"] = json.loads(row["quotes"] or "[]")
        out[row["document_id"]].append(row)
    return out


def filings_by_org(docs: dict[str, Row]) -> dict[str, list[Row]]:
    """The documents each organisation filed (alone or jointly)."""
    out: dict[str, list[Row]] = defaultdict(list)
    for doc in docs.values():
        for oid in doc["org_ids"]:
            out[oid].append(doc)
    return out


def positions_by_holder(positions: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """The positions each organisation holds, in any document (its own or one reporting it)."""
    out: dict[str, list[Row]] = defaultdict(list)
    for rows in positions.values():
        for p in rows:
            if p.get("holder_id"):
                out[p["holder_id"]].append(p)
    return out


def texts(db: Database, batch: int = 500) -> Iterator[tuple[str, str, list[list[int]] | None]]:
    """(id, text, pages) of every document, a batch at a time (the texts are most of the data)."""
    last = ""
    while True:
        rows = db.execute(
            "select id, text, pages from documents where id > ? order by id limit ?", [last, batch]
        ).fetchall()
        if not rows:
            return
        for doc_id, text, pages in rows:
            yield doc_id, text or "", json.loads(pages) if pages else None
        last = rows[-1][0]


def texts_of(db: Database, ids: list[str]) -> dict[str, str]:
    """The text of each of ``ids`` (a few hundred at a time)."""
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ", ".join("?" * len(part))
        for doc_id, text in db.execute(
            f"select id, text from documents where id in ({marks})", part
        ).fetchall():
            out[doc_id] = text or ""
    return out


def grouped(db: Database, sql: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for r in db.query(sql):
        out[r["document_id"]].append(dict(r))
    return out


def attachments(db: Database) -> dict[str, list[Row]]:
    return grouped(
        db,
        "select document_id, title, file_name, format, status, json_array_length(pages) as n_pages "
        "from attachments order by document_id, seq",
    )


def provenance(db: Database) -> dict[str, list[Row]]:
    return grouped(
        db,
        "select record_id as document_id, url, fetched_at, http_status, sha256 from provenance "
        "where record_table = 'documents' order by record_id, fetched_at",
    )


def mentions(db: Database) -> dict[str, list[Row]]:
    return grouped(
        db,
        "select document_id, target_type, target_id, matched from links "
        "group by document_id, target_type, target_id order by document_id, target_type, target_id",
    )


def campaigns(db: Database) -> list[Row]:
    out = []
    for r in db.query("select * from campaigns order by size desc, id"):
        row = dict(r)
        row["document_ids"] = json.loads(row["document_ids"] or "[]")
        out.append(row)
    return out


def organizations(db: Database) -> list[Row]:
    out = []
    for r in db.query("select id, name, aliases, category from organizations order by name"):
        row = dict(r)
        row["aliases"] = json.loads(row["aliases"] or "[]")
        out.append(row)
    return out


def reply_documents(db: Database) -> set[str]:
    """Comments that say they are reply comments (the docket's second round)."""
    return {
        r[0]
        for r in db.execute(
            "select id from documents where kind = 'comment' and "
            "lower(substr(coalesce(title, '') || ' ' || coalesce(text, ''), 1, 3000)) like '%reply comment%'"
        )
    }


def families(db: Database) -> list[Row]:
    out = []
    for r in db.query("select id, name, bill_ids from families order by name"):
        row = dict(r)
        row["bill_ids"] = json.loads(row["bill_ids"] or "[]")
        out.append(row)
    return out


def bill_filings(db: Database, bill: str) -> list[Row]:
    return [
        dict(r)
        for r in db.query(
            "select d.id, count(*) as mentions from links l join documents d on d.id = l.document_id "
            "where l.target_type = 'bill' and l.target_id = ? group by d.id order by mentions desc, d.id",
            [bill],
        )
    ]


def daily_volume(db: Database, docket: str) -> list[tuple[str, int]]:
    return [
        (r[0], r[1])
        for r in db.execute(
            "select substr(posted_at, 1, 10) as day, count(*) from documents where docket_id = ? "
            "and kind = 'comment' and posted_at is not null group by day order by day",
            [docket],
        )
    ]


def kinds(db: Database, docket: str) -> list[tuple[str, int]]:
    return [
        (r[0], r[1])
        for r in db.execute(
            "select kind, count(*) from documents where docket_id = ? group by kind order by 2 desc",
            [docket],
        )
    ]


def dockets(db: Database) -> list[Row]:
    return [dict(r) for r in db.query("select * from dockets order by id")]


def recent_events(db: Database, limit: int = 15) -> list[Row]:
    return [
        dict(r)
        for r in db.query(
            "select record_table, record_id, upstream_date, summary from events "
            "where upstream_date is not null and summary is not null "
            "order by upstream_date desc, id desc limit ?",
            [limit],
        )
    ]


def counts(db: Database) -> dict[str, int]:
    def one(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    return {
        "comments": one("select count(*) from documents where kind = 'comment'"),
        "organisations filing": one(
            "select count(distinct value) from documents, json_each(documents.org_ids) "
            "where org_ids is not null"
        ),
        "positions with quotes": one("select count(*) from positions"),
        "form-letter campaigns": one("select count(*) from campaigns"),
        "bills tracked": one("select count(*) from bills"),
    }
