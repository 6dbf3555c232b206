"""Schema of ``kb.db`` as sqlite-utils migrations (applied in order, once each).

Full-text search is an FTS5 table kept in step by triggers, created by
sqlite-utils' ``enable_fts`` so that Datasette finds and uses it.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("kb")
#: The columns of documents that full-text search indexes.
FTS_COLUMNS = ("title", "submitter", "organization", "text")


@MIGRATIONS()
def m001_core(db: Database) -> None:
    db.table("dockets").create(
        {
            "id": str,
            "source": str,
            "url": str,
            "agency_id": str,
            "title": str,
            "docket_type": str,
            "modified_at": str,
            "abstract": str,
            "recorded_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db.table("documents").create(
        {
            "id": str,
            "source": str,
            "kind": str,
            "docket_id": str,
            "title": str,
            "document_type": str,
            "subtype": str,
            "comment_on_document_id": str,
            "organization": str,
            "first_name": str,
            "last_name": str,
            "submitter": str,
            "category": str,
            "city": str,
            "state": str,
            "country": str,
            "posted_at": str,
            "received_at": str,
            "modified_at": str,
            "withdrawn": int,
            "reason_withdrawn": str,
            "duplicate_comments": int,
            "fr_doc_num": str,
            "comment_start": str,
            "comment_end": str,
            "object_id": str,
            "tracking_nbr": str,
            "page_count": int,
            "body": str,
            "text": str,
            "pages": str,
            "text_sha": str,
            "language": str,
            "url": str,
            "richness": int,
            "recorded_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db.table("documents").create_index(["docket_id"])
    db.table("documents").create_index(["kind"])
    db.table("documents").create_index(["posted_at"])
    db.table("attachments").create(
        {
            "id": str,
            "document_id": str,
            "seq": int,
            "title": str,
            "file_name": str,
            "format": str,
            "url": str,
            "size": int,
            "sha256": str,
            "text": str,
            "pages": str,
            "text_start": int,
            "status": str,
            "error": str,
            "fetched_at": str,
            "archive_path": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("attachments").create_index(["document_id"])
    db.table("provenance").create(
        {
            "id": int,
            "record_table": str,
            "record_id": str,
            "source": str,
            "url": str,
            "fetched_at": str,
            "http_status": int,
            "sha256": str,
            "archive_path": str,
        },
        pk="id",
    )
    db.table("provenance").create_index(["record_table", "record_id", "sha256"], unique=True)
    db.table("events").create(
        {
            "id": int,
            "event": str,
            "record_table": str,
            "record_id": str,
            "docket_id": str,
            "upstream_date": str,
            "upstream_field": str,
            "recorded_at": str,
            "summary": str,
            "details": str,
        },
        pk="id",
    )
    db.table("events").create_index(["upstream_date"])
    db.table("events").create_index(["record_table", "record_id"])
    db.table("sync_state").create(
        {
            "key": str,
            "source": str,
            "scope": str,
            "watermark": str,
            "last_started": str,
            "last_finished": str,
            "last_status": str,
            "last_summary": str,
        },
        pk="key",
    )
    db.table("failures").create(
        {
            "id": int,
            "stage": str,
            "source": str,
            "item": str,
            "error": str,
            "recorded_at": str,
            "permanent": int,
        },
        pk="id",
    )
    db.table("failures").create_index(["stage", "item"], unique=True)
    db.table("documents").enable_fts(
        list(FTS_COLUMNS),
        create_triggers=True,
        tokenize="porter",
    )


@MIGRATIONS()
def m002_bills_links(db: Database) -> None:
    db.table("bills").create(
        {
            "id": str,
            "congress": int,
            "type": str,
            "number": int,
            "title": str,
            "short_title": str,
            "introduced": str,
            "origin_chamber": str,
            "url": str,
            "source": str,
            "sources": str,
            "update_date": str,
            "update_date_including_text": str,
            "status": str,
            "status_date": str,
            "latest_action": str,
            "sponsor": str,
            "cosponsors": str,
            "actions": str,
            "committees": str,
            "related_bills": str,
            "subjects": str,
            "policy_area": str,
            "summaries": str,
            "titles": str,
            "text_versions": str,
            "family": str,
            "version_key": str,
            "recorded_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db.table("families").create(
        {"id": str, "name": str, "bill_ids": str, "updated_at": str}, pk="id"
    )
    db.table("bill_texts").create(
        {
            "id": str,
            "bill_id": str,
            "code": str,
            "name": str,
            "date": str,
            "url": str,
            "document_id": str,
            "text_before_amendment": str,
        },
        pk="id",
    )
    db.table("bill_texts").create_index(["bill_id"])
    db.table("links").create(
        {
            "id": int,
            "document_id": str,
            "target_type": str,
            "target_id": str,
            "matched": str,
            "start": int,
            "end": int,
            "method": str,
        },
        pk="id",
    )
    db.table("links").create_index(["document_id"])
    db.table("links").create_index(["target_type", "target_id"])
    db.table("pages").create(
        {
            "url": str,
            "document_id": str,
            "etag": str,
            "last_modified": str,
            "sha256": str,
            "checked_at": str,
            "changed_at": str,
        },
        pk="url",
    )


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
