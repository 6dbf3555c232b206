"""Loaders: the only code that writes records into ``kb.db``.

Each call is one transaction. Upserts are idempotent: loading the same record
twice changes nothing and records no event; when the same id arrives from two
sources, the richer (or newer) record's fields win and nothing is duplicated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from kb.extract import Extracted
from kb.records import AttachmentRef, DocketRecord, DocumentRecord, now_iso
from kb.store.texts import refresh_document_text

#: Fields whose change to a non-empty value counts as an upstream change.
TRACKED_FIELDS = (
    "title",
    "body",
    "organization",
    "first_name",
    "last_name",
    "category",
    "comment_on_document_id",
    "withdrawn",
    "reason_withdrawn",
    "document_type",
)


@dataclass(frozen=True)
class Provenance:
    source: str
    url: str
    sha256: str
    archive_path: str
    fetched_at: str
    http_status: int | None = None


@dataclass
class LoadStats:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    attachments_new: int = 0
    ids: list[str] = field(default_factory=list)
    #: the records that were already stored as they arrived (nothing new in them)
    unchanged_ids: list[str] = field(default_factory=list)

    def add(self, other: LoadStats) -> None:
        self.created += other.created
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.withdrawn += other.withdrawn
        self.attachments_new += other.attachments_new
        self.ids.extend(other.ids)
        self.unchanged_ids.extend(other.unchanged_ids)


def _rows_by_id(db: Database, table: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"select * from [{table}] where id in ({marks})", chunk):
            out[row["id"]] = row
    return out


def _merge(existing: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """Richer or newer source wins field by field; nothing known is erased."""
    newer = bool(
        incoming.get("modified_at")
        and existing.get("modified_at")
        and incoming["modified_at"] > existing["modified_at"]
    )
    wins = newer or (incoming["richness"] or 0) >= (existing["richness"] or 0)
    merged = dict(existing)
    for key, value in incoming.items():
        if value is None or key == "richness":
            continue
        if existing.get(key) is None or wins:
            merged[key] = value
    merged["richness"] = max(existing["richness"] or 0, incoming["richness"] or 0)
    return merged


def _event(
    event: str,
    table: str,
    record_id: str,
    docket_id: str | None,
    upstream_date: str | None,
    upstream_field: str | None,
    recorded_at: str,
    summary: str,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "event": event,
        "record_table": table,
        "record_id": record_id,
        "docket_id": docket_id,
        "upstream_date": upstream_date,
        "upstream_field": upstream_field,
        "recorded_at": recorded_at,
        "summary": summary,
        "details": json.dumps(details, sort_keys=True) if details else None,
    }


ProvenanceArg = Provenance | Mapping[str, Provenance] | None


def _provenance_rows(table: str, ids: Iterable[str], prov: ProvenanceArg) -> list[dict[str, Any]]:
    rows = []
    for rid in ids:
        p = prov.get(rid) if isinstance(prov, Mapping) else prov
        if p is None:
            continue
        rows.append(
            {
                "record_table": table,
                "record_id": rid,
                "source": p.source,
                "url": p.url,
                "fetched_at": p.fetched_at,
                "http_status": p.http_status,
                "sha256": p.sha256,
                "archive_path": p.archive_path,
            }
        )
    return rows


def upsert_docket(db: Database, record: DocketRecord, prov: Provenance | None = None) -> bool:
    """Insert or update a docket; returns True when anything changed."""
    now = now_iso()
    row = {k: getattr(record, k) for k in record.__dataclass_fields__}
    with db.atomic():
        existing = _rows_by_id(db, "dockets", [record.id]).get(record.id)
        events = []
        if existing is None:
            row["recorded_at"] = now
            row["updated_at"] = now
            events.append(
                _event(
                    "created",
                    "dockets",
                    record.id,
                    record.id,
                    record.modified_at,
                    "modified",
                    now,
                    f"Docket {record.id} tracked",
                )
            )
            changed = True
        else:
            merged = {**existing, **{k: v for k, v in row.items() if v is not None}}
            changed = merged != existing
            row = {**merged, "updated_at": now} if changed else existing
        if changed:
            db.table("dockets").upsert(row, pk="id")
        if events:
            db.table("events").insert_all(events)
        db.table("provenance").insert_all(
            _provenance_rows("dockets", [record.id], prov), ignore=True
        )
    return changed


def _update_event(
    record_id: str, before: dict[str, Any], merged: dict[str, Any], now: str, stats: LoadStats
) -> dict[str, Any] | None:
    """The withdrawn or changed event of an updated document, counted in ``stats``, if any."""
    changes = {
        f: [before.get(f), merged.get(f)]
        for f in TRACKED_FIELDS
        if before.get(f) is not None and merged.get(f) != before.get(f)
    }
    if merged.get("withdrawn") and not before.get("withdrawn"):
        stats.withdrawn += 1
        return _event(
            "withdrawn",
            "documents",
            record_id,
            merged.get("docket_id"),
            merged.get("modified_at"),
            "modified",
            now,
            f"{record_id} withdrawn",
            {"reason": merged.get("reason_withdrawn")},
        )
    if changes:
        stats.changed += 1
        return _event(
            "changed",
            "documents",
            record_id,
            merged.get("docket_id"),
            merged.get("modified_at"),
            "modified",
            now,
            f"{record_id} changed: {', '.join(sorted(changes))}",
            {k: v for k, v in changes.items() if k != "body"},
        )
    return None


def _created_events(
    rows: dict[str, dict[str, Any]], created_now: set[str], now: str
) -> list[dict[str, Any]]:
    """The created event of each document first stored by this batch."""
    events: list[dict[str, Any]] = []
    row: dict[str, Any]
    for rid in created_now:
        row = rows[rid]
        events.append(
            _event(
                "created",
                "documents",
                rid,
                row.get("docket_id"),
                row.get("posted_at"),
                "posted" if row.get("posted_at") else None,
                now,
                f"{row.get('kind')} {rid}: {row.get('title') or ''}".strip(),
            )
        )
    return events


def upsert_documents(
    db: Database, records: Sequence[DocumentRecord], prov: ProvenanceArg = None
) -> LoadStats:
    """Insert or merge documents and their attachment references, in one transaction."""
    stats = LoadStats()
    if not records:
        return stats
    now = now_iso()
    # The same id twice in one batch: merge in order, so the batch acts like sequential loads.
    with db.atomic():
        existing = _rows_by_id(db, "documents", [r.id for r in records])
        created_now: set[str] = set()
        rows: dict[str, dict[str, Any]] = {}
        events: list[dict[str, Any]] = []
        text_dirty: set[str] = set()
        for record in records:
            incoming = record.columns()
            before = rows.get(record.id) or existing.get(record.id)
            if before is None:
                rows[record.id] = {**incoming, "recorded_at": now, "updated_at": now}
                created_now.add(record.id)
                text_dirty.add(record.id)
                stats.created += 1
                continue
            merged = _merge(before, incoming)
            if merged == before:
                stats.unchanged += 1
                stats.unchanged_ids.append(record.id)
                continue
            merged["updated_at"] = now
            rows[record.id] = merged
            if merged.get("body") != before.get("body"):
                text_dirty.add(record.id)
            if record.id in created_now:
                continue
            event = _update_event(record.id, before, merged, now, stats)
            if event is not None:
                events.append(event)
            elif before.get("posted_at") is None and merged.get("posted_at"):
                # An upstream date learned later dates the creation event it lacked.
                db.execute(
                    "update events set upstream_date = ?, upstream_field = 'posted' "
                    "where record_table = 'documents' and record_id = ? and event = 'created' "
                    "and upstream_date is null",
                    [merged["posted_at"], record.id],
                )
        events.extend(_created_events(rows, created_now, now))
        if rows:
            db.table("documents").upsert_all(list(rows.values()), pk="id", alter=False)
        stats.attachments_new += _upsert_attachment_refs(
            db, [a for r in records for a in r.attachments]
        )
        refresh_document_text(db, sorted(text_dirty))
        if events:
            db.table("events").insert_all(events)
        db.table("provenance").insert_all(
            _provenance_rows("documents", sorted({r.id for r in records}), prov), ignore=True
        )
        stats.ids.extend(sorted(created_now))
    return stats


def _upsert_attachment_refs(db: Database, refs: Sequence[AttachmentRef]) -> int:
    if not refs:
        return 0
    refs = list({r.id: r for r in refs}.values())
    existing = _rows_by_id(db, "attachments", [r.id for r in refs])
    new_rows = []
    for ref in refs:
        row = existing.get(ref.id)
        if row is None:
            new_rows.append(
                {
                    "id": ref.id,
                    "document_id": ref.document_id,
                    "seq": ref.seq,
                    "title": ref.title,
                    "file_name": ref.file_name,
                    "format": ref.format,
                    "url": ref.url,
                    "size": ref.size,
                    "status": "pending",
                }
            )
        elif (ref.url and row["url"] != ref.url) or (ref.size and row["size"] != ref.size):
            db.table("attachments").update(
                ref.id, {"url": ref.url or row["url"], "size": ref.size or row["size"]}
            )
    if new_rows:
        db.table("attachments").insert_all(new_rows, pk="id")
    return len(new_rows)


def load_attachment_content(
    db: Database,
    ref: AttachmentRef,
    *,
    sha256: str,
    archive_path: str,
    fetched_at: str,
    extracted: Extracted | None,
    error: str | None,
    prov: Provenance | None = None,
    permanent: bool = True,
) -> str:
    """Store an attachment's file facts and extracted text (or its extraction error).

    Returns the attachment status: ``ok``, ``failed`` or ``unchanged``.
    """
    status = "ok" if extracted is not None else "failed"
    row = {
        "sha256": sha256,
        "archive_path": archive_path,
        "fetched_at": fetched_at,
        "text": extracted.text if extracted else None,
        "pages": json.dumps(extracted.pages) if extracted and extracted.pages else None,
        "status": status,
        "error": error,
    }
    with db.atomic():
        _upsert_attachment_refs(db, [ref])
        current = db.table("attachments").get(ref.id)
        same = all(current.get(k) == v for k, v in row.items() if k != "fetched_at")
        if not same:
            db.table("attachments").update(ref.id, row)
            refresh_document_text(db, [ref.document_id])
        if prov is not None:
            db.table("provenance").insert_all(
                _provenance_rows("attachments", [ref.id], prov), ignore=True
            )
        item = f"{ref.document_id}/{ref.file_name}"
        if error:
            record_failure(db, "extract", prov.source if prov else "import", item, error, permanent)
        else:
            clear_failure(db, "extract", item)
            clear_failure(db, "fetch", ref.url or item)
    return "unchanged" if same else status


def record_failure(
    db: Database, stage: str, source: str, item: str, error: str, permanent: bool = False
) -> None:
    db.execute(
        "insert into failures (stage, source, item, error, recorded_at, permanent) "
        "values (?, ?, ?, ?, ?, ?) on conflict(stage, item) do update set "
        "error = excluded.error, recorded_at = excluded.recorded_at, permanent = excluded.permanent",
        [stage, source, item, error, now_iso(), int(permanent)],
    )


def clear_failure(db: Database, stage: str, item: str) -> None:
    db.execute("delete from failures where stage = ? and item = ?", [stage, item])


def set_sync_state(db: Database, key: str, **fields: Any) -> None:
    with db.atomic():
        db.table("sync_state").upsert({"key": key, **fields}, pk="key", alter=True)
