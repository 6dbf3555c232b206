"""Schema of ``kb.db`` as sqlite-utils migrations (applied in order, once each).

Full-text search is an FTS5 table kept in step by triggers, created by
sqlite-utils' ``enable_fts`` so that Datasette finds and uses it.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from kb.store.schema_tables import (
    create_attachments,
    create_bill_texts,
    create_bills,
    create_dockets,
    create_documents,
    create_links,
    create_pages,
    create_provenance_and_events,
    create_sync_state_and_failures,
)

MIGRATIONS = Migrations("kb")
#: The columns of documents that full-text search indexes.
FTS_COLUMNS = ("title", "submitter", "organization", "text")


@MIGRATIONS()
def m001_core(db: Database) -> None:
    create_dockets(db)
    create_documents(db)
    create_attachments(db)
    create_provenance_and_events(db)
    create_sync_state_and_failures(db)
    db.table("documents").enable_fts(
        list(FTS_COLUMNS),
        create_triggers=True,
        tokenize="porter",
    )


@MIGRATIONS()
def m002_bills_links(db: Database) -> None:
    create_bills(db)
    create_bill_texts(db)
    create_links(db)
    create_pages(db)


@MIGRATIONS()
def m003_tagging(db: Database) -> None:
    db.table("documents").add_column("tagged_sha", str)
    db.table("documents").add_column("tagger_version", str)


@MIGRATIONS()
def m004_positions(db: Database) -> None:
    for column in ("org_ids", "org_name", "org_category", "campaign_id", "holders"):
        db.table("documents").add_column(column, str)
    db.table("documents").create_index(["campaign_id"])
    db.table("documents").create_index(["org_category"])
    db.table("positions").create(
        {
            "id": int,
            "document_id": str,
            "holder": str,
            "holder_id": str,
            "issue": str,
            "stance": str,
            "confidence": float,
            "quotes": str,
            "method": str,
            "review_state": str,
            "tagger_version": str,
        },
        pk="id",
    )
    db.table("positions").create_index(["document_id"])
    db.table("positions").create_index(["issue", "stance"])
    db.table("positions").create_index(["holder_id"])
    db.table("organizations").create(
        {"id": str, "name": str, "aliases": str, "category": str}, pk="id"
    )
    db.table("campaigns").create(
        {
            "id": str,
            "size": int,
            "template_document_id": str,
            "document_ids": str,
            "first_posted": str,
            "last_posted": str,
        },
        pk="id",
    )


@MIGRATIONS()
def m005_fts_update_trigger(db: Database) -> None:
    """Re-index a document only when an indexed column changes: the tagger's
    updates (language, organisation, campaign) must not rewrite the full text."""
    cols = ", ".join(f'"{c}"' for c in FTS_COLUMNS)
    old = ", ".join(f'old."{c}"' for c in FTS_COLUMNS)
    new = ", ".join(f'new."{c}"' for c in FTS_COLUMNS)
    db.execute('DROP TRIGGER IF EXISTS "documents_au"')
    db.execute(
        f'CREATE TRIGGER "documents_au" AFTER UPDATE OF {cols} ON "documents" BEGIN\n'
        f'  INSERT INTO "documents_fts" ("documents_fts", rowid, {cols}) '
        f"VALUES('delete', old.rowid, {old});\n"
        f'  INSERT INTO "documents_fts" (rowid, {cols}) VALUES (new.rowid, {new});\n'
        "END"
    )


@MIGRATIONS()
def m006_paragraph_languages(db: Database) -> None:
    """Paragraphs in another language than their document: JSON [[start, end, lang], …]."""
    db.table("documents").add_column("languages", str)


@MIGRATIONS()
def m007_filer_titles(db: Database) -> None:
    """Filer type from the upstream title, and the attachment titles upstream lists."""
    db.table("documents").add_column("filer_type", str)
    db.table("documents").add_column("listed_attachments", str)


@MIGRATIONS()
def m008_questions(db: Database) -> None:
    """The Notice's numbered questions per docket, and the passages of filings that answer
    them (``nlp.questions``, ``nlp.answers``)."""
    db.table("questions").create(
        {
            "docket_id": str,
            "number": str,
            "parent": str,
            "grp": str,
            "text": str,
            "document_id": str,
            "start": int,
            "end": int,
            "ord": int,
        },
        pk=("docket_id", "number"),
    )
    db.table("answers").create(
        {
            "id": int,
            "document_id": str,
            "docket_id": str,
            "question": str,
            "start": int,
            "end": int,
            "how": str,
            "score": float,
        },
        pk="id",
    )
    db.table("answers").create_index(["document_id"])
    db.table("answers").create_index(["docket_id", "question"])


@MIGRATIONS()
def m009_replies(db: Database) -> None:
    """Sentences of filings that name another commenter, with agree / rebut / cite
    (``nlp.replies``)."""
    db.table("replies").create(
        {
            "id": int,
            "document_id": str,
            "docket_id": str,
            "target": str,
            "start": int,
            "end": int,
            "relation": str,
        },
        pk="id",
    )
    db.table("replies").create_index(["document_id"])
    db.table("replies").create_index(["target"])
