"""Read-side queries of the store: status, search, exports."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlite_utils import Database

from kb.search.terms import STEMMER, proposals

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


#: A query word (letters, digits, inner hyphens), with a star after it for a prefix.
QUERY_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*\*?")


def fts_query(db: Database, query: str) -> str:
    """The reader's query as FTS5 syntax, by the site's rule (``kb.search.query``):
    words ANDed, a phrase in quotes kept together, a British spelling ORed with the
    American form documents hold, "licens*" a prefix, and a word no document holds read
    as a prefix ("licens" → licens*)."""
    out = []
    for i, piece in enumerate(query.split('"')):
        if i % 2 == 1:
            words = [t.rstrip("*") for t in QUERY_TOKEN.findall(piece)]
            out += ['"' + " ".join(words) + '"'] if words else []
            continue
        for token in QUERY_TOKEN.findall(piece):
            bare = token.rstrip("*")
            if token.endswith("*") or not _matches(db, f'"{bare}"'):
                out.append(_prefix(db, bare))
                continue
            # British spellings find the American ones too ("licence" → license).
            forms = [
                f'"{w}"' for w in (bare, *proposals(bare)) if w == bare or _matches(db, f'"{w}"')
            ]
            out.append(forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")")
    return " AND ".join(out)


#: Endings that complete a part of a word ("transparen" + "cy"): the stems of the words
#: so made, where shorter than the part, are what FTS5 holds for them.
ENDINGS = ("", "e", "s", "es", "ed", "d", "ing", "g", "ng", "y", "cy", "ce", "t", "ts", "al", "ally", "ly",
           "ion", "ions", "ation", "ations", "ness", "ment", "ments", "er", "ers", "ity", "ive")  # fmt: skip


def _prefix(db: Database, prefix: str) -> str:
    """The words beginning with ``prefix`` in FTS5 syntax. FTS5 matches a prefix against
    stems, so a word whose stem is shorter than the prefix ("transparency": "transpar"
    for "transparen") is found by that stem: the stems of the prefix completed by common
    endings that are shorter than it and held by the index are ORed in (``fts5vocab``)."""
    db.execute(
        "create virtual table if not exists temp.documents_fts_terms "
        "using fts5vocab(main, documents_fts, row)"
    )
    stems = {str(STEMMER.stemWord(prefix + end)) for end in ENDINGS}
    shorter = sorted(t for t in stems if len(t) >= 4 and t != prefix and prefix.startswith(t))
    held = [
        t
        for t in shorter
        if db.execute("select 1 from temp.documents_fts_terms where term = ?", [t]).fetchone()
    ]
    forms = [f'"{t}"*' for t in (prefix, *held)]
    return forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"


def _matches(db: Database, fts: str) -> bool:
    found = db.execute("select 1 from documents_fts where documents_fts match ? limit 1", [fts])
    return found.fetchone() is not None


def search(db: Database, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Ranked full-text hits (bm25, title weighted) with a snippet."""
    fts_query_ = fts_query(db, query)
    if not fts_query_:
        return []
    sql = """
        select d.id, d.title, d.submitter, d.kind, d.docket_id, d.posted_at,
               snippet(documents_fts, 3, '[', ']', ' … ', 16) as snippet,
               bm25(documents_fts, 5.0, 2.0, 2.0, 1.0) as score
        from documents_fts join documents d on d.rowid = documents_fts.rowid
        where documents_fts match ?
        order by score
        limit ?
    """
    bills = search_bills(db, fts_query_, limit)
    return bills + [dict(r) for r in db.query(sql, [fts_query_, limit - len(bills)])]


def count_hits(db: Database, query: str) -> int:
    """How many documents and bills match ``query`` (all of them, not a page of them)."""
    fts_query_ = fts_query(db, query)
    if not fts_query_:
        return 0
    docs = db.execute(
        "select count(*) from documents_fts where documents_fts match ?", [fts_query_]
    ).fetchone()[0]
    bills = len(search_bills(db, fts_query_, -1)) if db["bills"].exists() else 0
    return int(docs) + bills


def search_bills(db: Database, fts_query: str, limit: int) -> list[dict[str, Any]]:
    """Bills whose number, title or short title match (the same FTS5 rule and tokenizer
    as the documents), first: a bill outweighs a one-line comment, as on the site. The
    index is a temporary table of this connection; the database file is not changed."""
    if not db["bills"].exists() or limit == 0:
        return []
    db.execute(
        "create virtual table if not exists temp.bills_search using fts5("
        "id unindexed, number, title, short_title, tokenize='porter')"
    )
    db.execute("delete from temp.bills_search")
    db.execute(
        "insert into temp.bills_search (id, number, title, short_title) "
        "select id, upper(type) || ' ' || number, coalesce(title, ''), coalesce(short_title, '') "
        "from bills"
    )
    sql = """
        select b.id, coalesce(b.short_title, b.title) as title, null as submitter,
               'bill' as kind, null as docket_id, b.introduced as posted_at,
               snippet(bills_search, 2, '[', ']', ' … ', 16) as snippet,
               bm25(bills_search, 0, 5.0, 1.0, 5.0) as score
        from temp.bills_search s join bills b on b.id = s.id
        where bills_search match ?
        order by score
        limit ?
    """
    return [dict(r) for r in db.query(sql, [fts_query, limit])]


def _columns(db: Database, table: str) -> set[str]:
    return set(db[table].columns_dict)


def export_documents(db: Database, *, with_text: bool = False) -> Iterator[dict[str, Any]]:
    cols = _columns(db, "documents")
    # The tagger's canonical organisation and category win over the fields as filed.
    resolved = {"organization": "org_name", "category": "org_category"}
    select = [
        (
            f"coalesce({resolved[f]}, {f}) as {f}"
            if f in resolved and resolved[f] in cols
            else f
            if f in cols
            else f"null as {f}"
        )
        for f in DOCUMENT_EXPORT_FIELDS
    ]
    if with_text:
        select += ["text", "pages"]
    for row in db.query(f"select {', '.join(select)} from documents order by id"):
        out = dict(row)
        if with_text:
            out["text"] = out["text"] or ""
            out["pages"] = json.loads(out["pages"]) if out["pages"] else None
        yield out


def companions(db: Database) -> dict[str, set[str]]:
    """Each bill's companions: the bill in the other chamber that CRS calls identical, or
    (CRS often says only "related") the one of the same Congress and family that carries
    the same short title, as S.1367 and H.R.2794, the NO FAKES Act of 2025, do."""
    out: dict[str, set[str]] = {}
    rows = [
        dict(r)
        for r in db.query(
            "select id, congress, type, short_title, title, family, related_bills from bills"
        )
    ]

    def pair(a: str, b: str) -> None:
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)

    for row in rows:
        for rel in json.loads(row["related_bills"] or "[]"):
            if (rel.get("relationship") or "").lower() == "identical bill":
                pair(row["id"], rel["id"])
    senate = ("s", "sres", "sjres", "sconres")
    for a in rows:
        for b in rows:
            if (
                a["id"] < b["id"]
                and a["family"]
                and a["family"] == b["family"]
                and a["congress"] == b["congress"]
                and (a["type"] in senate) != (b["type"] in senate)
                and (a["short_title"] or a["title"]) == (b["short_title"] or b["title"])
            ):
                pair(a["id"], b["id"])
    return out


def export_bills(db: Database) -> Iterator[dict[str, Any]]:
    """Bills in the contract's shape (``kb export bills``), plus status date, companions,
    subjects and summaries."""
    pairs = companions(db)
    for row in db.query("select * from bills order by congress, type, number"):
        sponsor = json.loads(row["sponsor"]) if row["sponsor"] else None
        yield {
            "id": row["id"],
            "congress": row["congress"],
            "type": row["type"],
            "number": row["number"],
            "title": row["title"],
            "short_title": row["short_title"],
            "introduced": row["introduced"],
            "sponsor": {k: sponsor.get(k) for k in ("name", "party", "state", "bioguide_id")}
            if sponsor
            else None,
            "cosponsors": [
                {
                    k: c.get(k)
                    for k in ("name", "party", "state", "bioguide_id", "date", "withdrawn")
                }
                for c in json.loads(row["cosponsors"] or "[]")
            ],
            "status": row["status"],
            "status_date": row["status_date"],
            "latest_action": json.loads(row["latest_action"]) if row["latest_action"] else None,
            "actions": [
                {k: a.get(k) for k in ("date", "text", "code", "chamber")}
                for a in json.loads(row["actions"] or "[]")
            ],
            "committees": json.loads(row["committees"] or "[]"),
            "related_bills": [r["id"] for r in json.loads(row["related_bills"] or "[]")],
            "companions": sorted(pairs.get(row["id"], ())),
            "family": row["family"],
            "text_versions": [
                {k: v.get(k) for k in ("code", "date", "url")}
                for v in json.loads(row["text_versions"] or "[]")
            ],
            "subjects": json.loads(row["subjects"] or "[]"),
            "policy_area": row["policy_area"],
            "summaries": json.loads(row["summaries"] or "[]"),
            "url": row["url"],
            "sources": json.loads(row["sources"] or "[]"),
        }


def bill_text_pairs(db: Database, bill: str) -> list[tuple[str, str, str, str]]:
    """(label before, label after, text before, text after) for each redline a bill has:
    consecutive stored versions, and a committee amendment inside one version."""
    rows = list(
        db.query(
            "select t.code, t.name, t.date, t.text_before_amendment, d.text from bill_texts t "
            "join documents d on d.id = t.document_id where t.bill_id = ? order by t.date, t.code",
            [bill],
        )
    )
    pairs = []
    for prev, cur in itertools.pairwise(rows):
        pairs.append((prev["code"].upper(), cur["code"].upper(), prev["text"], cur["text"]))
    for row in rows:
        if row["text_before_amendment"]:
            pairs.append(
                (
                    f"{row['code'].upper()} before the committee amendment",
                    f"{row['code'].upper()} as amended",
                    row["text_before_amendment"],
                    row["text"],
                )
            )
    return pairs


def export_links(db: Database) -> Iterator[dict[str, Any]]:
    """Every mention and link: which document points at which bill, family, docket, report or topic."""
    for row in db.query(
        "select document_id, target_type, target_id, matched, start, end, method from links "
        "order by document_id, start"
    ):
        yield dict(row)


def family_documents(db: Database, family: str) -> list[dict[str, Any]]:
    """Every document that mentions a family or one of its bills, most mentions first."""
    bills = [r[0] for r in db.execute("select id from bills where family = ?", [family])]
    marks = ",".join("?" * len(bills)) or "''"
    return [
        dict(r)
        for r in db.query(
            "select d.id, d.title, d.submitter, d.kind, d.docket_id, count(*) as mentions "
            "from links l join documents d on d.id = l.document_id "
            f"where (l.target_type = 'family' and l.target_id = ?) or (l.target_type = 'bill' and l.target_id in ({marks})) "
            "group by d.id order by mentions desc, d.id",
            [family, *bills],
        )
    ]


def export_events(db: Database) -> Iterator[dict[str, Any]]:
    """What changed, one record per event, oldest first (the digest reads the same table)."""
    for row in db.query(
        "select id, event, record_table, record_id, docket_id, upstream_date, upstream_field, "
        "recorded_at, summary, details from events order by id"
    ):
        out = dict(row)
        out["details"] = json.loads(out["details"]) if out["details"] else None
        yield out


def with_docket(db: Database, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Records of a document (``document_id``) with the ``docket_id`` of that document."""
    dockets = dict(db.execute("select id, docket_id from documents").fetchall())
    for record in records:
        yield {**record, "docket_id": dockets.get(record["document_id"])}
