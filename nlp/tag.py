"""``kb tag``: the NLP stage over every document whose text or tagger changed.

Language per document; mentions (bills, families, dockets, Copyright Office
reports, the digital-replica right) stored as links; filers resolved to
organisations; positions on the codebook issues with verbatim quotes; and,
over all comments, form-letter campaigns whose members inherit the template's
positions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from kb.store.links import replace_links_bulk
from kb.watchlist import Watchlist
from nlp.language import detect_language
from nlp.mentions import BillName, MentionFinder, family_slug
from nlp.organizations import LEXICON as ORG_LEXICON
from nlp.stance import lexicon
from nlp.tag_positions import (
    TAGGED_KINDS,
    PositionReport,
    refresh_campaigns,
    store_document,
    sync_organizations,
    tag_document,
)

NLP_VERSION = "1"
#: The language a source's documents are in unless the text clearly says otherwise.
EXPECTED_LANGUAGE = {
    "regulations.gov": "en",
    "govinfo": "en",
    "congress.gov": "en",
    "federalregister.gov": "en",
}
BATCH = 500


@dataclass
class TagReport:
    considered: int = 0
    tagged: int = 0
    links: int = 0
    words: int = 0
    positions: PositionReport = field(default_factory=PositionReport)

    def summary(self) -> str:
        p = self.positions
        return (
            f"{self.tagged} of {self.considered} documents tagged ({self.words:,} words, "
            f"{p.sentences:,} sentences), {p.positions} positions, {self.links} mentions, "
            f"{p.campaigns} campaigns ({p.inherited} positions inherited)"
        )


def build_finder(db: Database, watchlist: Watchlist | None) -> MentionFinder:
    names: list[BillName] = []
    for row in db.query("select id, family, short_title, titles from bills"):
        titles = [
            t.get("title")
            for t in json.loads(row["titles"] or "[]")
            if (t.get("type") or "").startswith("Short Title") and t.get("title")
        ]
        short = [row["short_title"]] if row["short_title"] else []
        names.append(BillName((row["id"],), row["family"], tuple(short + titles)))
    families = {r["id"] for r in db.query("select id from families")}
    for bill in watchlist.bills if watchlist else ():
        family = family_slug(bill.name) if bill.name else None
        if family and family not in families:
            family = family  # a family we will know once its bills are synced
        names.append(BillName((bill.id,), family, (bill.name,) if bill.name else ()))
    dockets = {r[0] for r in db.execute("select id from dockets")}
    dockets |= {
        r[0]
        for r in db.execute("select distinct docket_id from documents where docket_id is not null")
    }
    if watchlist:
        dockets |= {d.id for d in watchlist.dockets}
    return MentionFinder(names, dockets)


def tag_documents(db: Database, watchlist: Watchlist | None, *, force: bool = False) -> TagReport:
    finder = build_finder(db, watchlist)
    orgs = hashlib.sha256(ORG_LEXICON.read_bytes()).hexdigest()[:8]
    version = f"{NLP_VERSION}:{finder.version}:{lexicon().version}:{orgs}"
    report = TagReport()
    where = (
        ""
        if force
        else "where tagged_sha is null or tagged_sha != text_sha or tagger_version is not ?"
    )
    ids = [
        r[0]
        for r in db.execute(
            f"select id from documents {where} order by id", [] if force else [version]
        )
    ]
    report.considered = len(ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = ",".join("?" * len(chunk))
        rows = list(
            db.query(
                "select id, source, kind, title, organization, submitter, text, pages, text_sha, "
                f"language from documents where id in ({marks})",
                chunk,
            )
        )
        links: dict[str, list[tuple]] = {}
        updates = []
        for row in rows:
            text = row["text"] or ""
            report.words += len(text.split())
            expected = EXPECTED_LANGUAGE.get(row["source"])
            language = row["language"] or detect_language(text, expected)
            mentions = finder.find(text)
            links[row["id"]] = [
                (m.target_type, m.target_id, m.matched, m.start, m.end) for m in mentions
            ]
            updates.append((language, row["text_sha"], version, row["id"]))
            row["language"] = language
        with db.conn:
            for row in rows:
                if row["kind"] in TAGGED_KINDS:
                    positions, n_sentences, filer = tag_document(db, row, version)
                    store_document(db, row["id"], positions, filer, version)
                    report.positions.positions += len(positions)
                    report.positions.sentences += n_sentences
            db.conn.executemany(
                "update documents set language = ?, tagged_sha = ?, tagger_version = ? where id = ?",
                updates,
            )
        report.links += replace_links_bulk(db, "mentions", links)
        report.tagged += len(rows)
    if ids:
        refresh_campaigns(db, version, report.positions)
        sync_organizations(db)
    return report
