"""The tables created by the first two migrations of ``kb.store.schema``, one function
per group of tables, called by the migrations in the order they create them."""

from __future__ import annotations

from sqlite_utils import Database


def create_dockets(db: Database) -> None:
    """The dockets table."""
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


def create_documents(db: Database) -> None:
    """The documents table and its indexes."""
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


def create_attachments(db: Database) -> None:
    """The attachments of documents, indexed by document."""
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


def create_provenance_and_events(db: Database) -> None:
    """Provenance of fetched records and the event log, with their indexes."""
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


def create_sync_state_and_failures(db: Database) -> None:
    """Sync watermarks per source and scope, and the failures log."""
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


def create_bills(db: Database) -> None:
    """The bills table and the families that group bills."""
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


def create_bill_texts(db: Database) -> None:
    """The text versions of bills, indexed by bill."""
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


def create_links(db: Database) -> None:
    """Links from documents to bills and other targets, with their indexes."""
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


def create_pages(db: Database) -> None:
    """The watched web pages (etag, last-modified, content hash)."""
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
