"""What the knowledge base is about: the records the watchlist tracks.

Anything may be imported (the corpus's parser format samples, other dockets, unrelated
bills), but only tracked records are published. :func:`tracked` decides, record by
record, from the watchlist; :func:`published` gives the site, the digest and the
downloads a copy of the database that holds nothing else, so no page, count, chart,
feed entry or download row can show an untracked record, whichever query reads it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from kb.legislation import slug
from kb.render.filings import public_source
from kb.settings import reviews_dir
from kb.store.reviews import Review, apply_reviews, load_reviews
from kb.watchlist import Watchlist
from scrapers.feeds.sync import relevant

_BILL_TEXT_ID = re.compile(r"^bill-(\d+)-([a-z]+)-(\d+)-")


@dataclass
class Scope:
    """The ids of every tracked record, and what was left out."""

    dockets: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    bills: set[str] = field(default_factory=set)
    families: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)
    #: table → ids of records held but not tracked
    untracked: dict[str, list[str]] = field(default_factory=dict)
    #: watchlist bills and dockets with no record yet: (kind, id, name)
    not_synced: list[tuple[str, str, str]] = field(default_factory=list)

    def untracked_counts(self) -> dict[str, int]:
        return {table: len(ids) for table, ids in self.untracked.items() if ids}


def _tracked_bill(bill: dict[str, Any], watchlist: Watchlist) -> bool:
    if bill["id"] in {b.id for b in watchlist.bills}:
        return True
    titles = [bill.get("title") or "", bill.get("short_title") or ""]
    titles += [t.get("title") or "" for t in json.loads(bill.get("titles") or "[]")]
    text = " ".join(titles).lower()
    return any(
        bill.get("congress") in search.congresses and any(t.lower() in text for t in search.terms)
        for search in watchlist.bill_searches
    )


def _tracked_notice(doc: dict[str, Any], watchlist: Watchlist, dockets: set[str]) -> bool:
    """A Federal Register document one of the watchlist's searches would return."""
    if doc.get("docket_id") in dockets:
        return True
    agencies = {slug(a) for a in (doc.get("organization") or "").split(", ") if a}
    text = f"{doc.get('title') or ''} {doc.get('body') or ''}".lower()
    for search in watchlist.federal_register:
        if doc.get("docket_id") and doc["docket_id"] in search.dockets:
            return True
        if not search.agencies and not search.term:
            continue
        if search.agencies and not agencies & set(search.agencies):
            continue
        if search.term and search.term.lower() not in text:
            continue
        if (doc.get("posted_at") or "9999") >= search.since:
            return True
    return False


def tracked(db: Database, watchlist: Watchlist) -> Scope:
    """Which of the database's records the watchlist tracks."""
    scope = Scope()
    watched_dockets = {d.id for d in watchlist.dockets}
    watched_documents = {doc for d in watchlist.dockets for doc in d.documents}
    fr_dockets = watched_dockets | {d for s in watchlist.federal_register for d in s.dockets}
    page_urls = {p.url for p in watchlist.pages}
    keywords = tuple(k for f in watchlist.feeds for k in f.keywords)
    untracked = scope.untracked

    for bill in db.query("select id, congress, title, short_title, titles, family from bills"):
        if _tracked_bill(bill, watchlist):
            scope.bills.add(bill["id"])
            if bill["family"]:
                scope.families.add(bill["family"])
        else:
            untracked.setdefault("bills", []).append(bill["id"])
    held = {r["id"]: r["title"] for r in db.query("select id, title from dockets")}
    for docket_id in held:
        if docket_id in watched_dockets:
            scope.dockets.add(docket_id)
        else:
            untracked.setdefault("dockets", []).append(docket_id)
    page_docs = {
        r["document_id"]: r["url"]
        for r in db.query("select url, document_id from pages where document_id is not null")
    }
    for doc in db.query(
        "select id, source, docket_id, title, organization, posted_at, url, "
        "substr(coalesce(body, ''), 1, 2000) as body, "
        "case when source = 'press' then substr(text, 1, 20000) end as text from documents"
    ):
        source, doc_id = doc["source"], doc["id"]
        if source == "regulations.gov":
            keep = doc["docket_id"] in watched_dockets or doc_id in watched_documents
        elif source == "federalregister.gov":
            keep = _tracked_notice(doc, watchlist, fr_dockets)
        elif source == "govinfo":
            m = _BILL_TEXT_ID.match(doc_id)
            keep = m is not None and "-".join(m.groups()) in scope.bills
        elif source == "press":
            keep = relevant(f"{doc['title'] or ''}\n{doc['text'] or ''}", keywords)
        elif source == "copyright.gov":
            keep = (page_docs.get(doc_id) or doc["url"]) in page_urls
        else:
            keep = False
        if keep:
            scope.documents.add(doc_id)
        else:
            untracked.setdefault("documents", []).append(doc_id)
    scope.pages = {r["url"] for r in db.query("select url from pages")} & page_urls

    known_bills = {r["id"] for r in db.query("select id from bills")}
    for watched in watchlist.bills:
        if watched.id not in known_bills:
            scope.not_synced.append(("bill", watched.id, watched.name or watched.id))
    for docket in watchlist.dockets:
        if docket.id not in held:
            scope.not_synced.append(("docket", docket.id, docket.title or docket.id))
    return scope


def _keep(db: Database, table: str, column: str, ids: set[str], where: str = "") -> None:
    """Delete the rows of ``table`` whose ``column`` is not one of ``ids``."""
    db.execute("create temp table if not exists keep_ids (id text primary key)")
    db.execute("delete from keep_ids")
    db.conn.executemany("insert into keep_ids values (?)", [(i,) for i in ids])
    condition = f"{column} not in (select id from keep_ids)"
    db.execute(f"delete from {table} where {condition}{f' and ({where})' if where else ''}")


def _keep_provenance(out: Database, scope: Scope) -> None:
    """Keep the provenance of kept records only: public source addresses, no archive paths."""
    docs = scope.documents
    _keep(out, "provenance", "record_id", docs, "record_table = 'documents'")
    _keep(out, "provenance", "record_id", scope.bills, "record_table = 'bills'")
    _keep(out, "provenance", "record_id", scope.dockets, "record_table = 'dockets'")
    out.execute(
        "delete from provenance where record_table = 'attachments' and "
        "substr(record_id, 1, instr(record_id || '/', '/') - 1) not in (select id from documents)"
    )
    # A reader sees where a record came from, never a path of the machine that imported it.
    for row in list(out.query("select id, url from provenance where url like 'file:%'")):
        out.execute(
            "update provenance set url = ? where id = ?",
            [str(public_source(row["url"])), row["id"]],
        )
    out.execute("update provenance set archive_path = null")


def _trim_members(out: Database, scope: Scope) -> None:
    """Campaigns and families list only kept members; a campaign left with fewer than two goes."""
    docs = scope.documents
    for row in list(out.query("select id, document_ids from campaigns")):
        members = [d for d in json.loads(row["document_ids"] or "[]") if d in docs]
        if len(members) < 2:
            out.execute("delete from campaigns where id = ?", [row["id"]])
        else:
            out.execute(
                "update campaigns set document_ids = ?, size = ? where id = ?",
                [json.dumps(members), len(members), row["id"]],
            )
    for row in list(out.query("select id, bill_ids from families")):
        members = [b for b in json.loads(row["bill_ids"] or "[]") if b in scope.bills]
        out.execute(
            "update families set bill_ids = ? where id = ?", [json.dumps(members), row["id"]]
        )


def published(
    db: Database, watchlist: Watchlist, reviews: list[Review] | None = None
) -> tuple[Database, Scope]:
    """An in-memory copy of ``db`` holding only tracked records (and the scope it kept),
    its positions as the reviews (default: those in :func:`kb.settings.reviews_dir`) say."""
    if reviews is None:
        reviews = load_reviews(reviews_dir())
    scope = tracked(db, watchlist)
    conn = sqlite3.connect(":memory:")
    db.conn.backup(conn)
    out = Database(conn)
    out.execute("PRAGMA foreign_keys = OFF")
    docs = scope.documents
    _keep(out, "documents", "id", docs)
    for table in ("attachments", "positions"):
        _keep(out, table, "document_id", docs)
    _keep(out, "links", "document_id", docs)
    _keep(out, "links", "target_id", scope.bills, "target_type = 'bill'")
    _keep(out, "links", "target_id", scope.dockets, "target_type = 'docket'")
    _keep_provenance(out, scope)
    out.execute("delete from failures")
    _keep(out, "events", "record_id", docs, "record_table = 'documents'")
    _keep(out, "events", "record_id", scope.bills, "record_table = 'bills'")
    _keep(out, "events", "record_id", scope.dockets, "record_table = 'dockets'")
    _keep(out, "bills", "id", scope.bills)
    _keep(out, "bill_texts", "bill_id", scope.bills)
    _keep(out, "families", "id", scope.families)
    _keep(out, "dockets", "id", scope.dockets)
    _keep(out, "pages", "url", scope.pages)
    _trim_members(out, scope)
    # Reviews win over the machine: one place, before anything reads the positions.
    apply_reviews(out, [r for r in reviews if r.document_id in docs])
    # An organisation is published when it filed, or holds a position, in a tracked record …
    named = {
        i
        for r in out.query("select org_ids from documents")
        for i in json.loads(r["org_ids"] or "[]")
    }
    named |= {r["holder_id"] for r in out.query("select distinct holder_id from positions")}
    for table in ("answers", "replies"):  # of the published filings only
        if out[table].exists():
            _keep(out, table, "document_id", docs)
    # … or when a published filing names it in reply (its page says who answers it).
    if out["replies"].exists():
        named |= {r["target"] for r in out.query("select distinct target from replies")}
    if out["organizations"].exists():
        _keep(out, "organizations", "id", {i for i in named if i})
    out.execute("drop table if exists temp.keep_ids")
    out.execute("insert into documents_fts(documents_fts) values('optimize')")
    out.conn.commit()
    out.execute("vacuum")  # no deleted record lingers in free pages of the downloaded copy
    return out, scope
