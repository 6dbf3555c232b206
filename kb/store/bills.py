"""Loading bills: merge by part, derive status, record what moved as events."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlite_utils import Database

from kb.legislation import BillForFamily, bill_label, derive_status, group_families
from kb.records import BillAction, BillRecord, now_iso
from kb.store.load import Provenance, _event, _provenance_rows

#: Which columns each part of a bill record fills.
PART_COLUMNS = {
    "bill": (
        "title",
        "introduced",
        "origin_chamber",
        "url",
        "update_date",
        "update_date_including_text",
        "sponsor",
        "latest_action",
        "policy_area",
    ),
    "actions": ("actions",),
    "cosponsors": ("cosponsors",),
    "committees": ("committees",),
    "related": ("related_bills",),
    "subjects": ("subjects", "policy_area"),
    "summaries": ("summaries",),
    "titles": ("titles", "short_title"),
    "text": ("text_versions",),
}


@dataclass
class BillLoad:
    created: bool = False
    changed: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def bill_columns(record: BillRecord) -> dict[str, Any]:
    latest = record.latest_action or (record.actions[-1] if record.actions else None)
    return {
        "id": record.id,
        "congress": record.congress,
        "type": record.type,
        "number": record.number,
        "title": record.title,
        "short_title": record.short_title,
        "introduced": record.introduced,
        "origin_chamber": record.origin_chamber,
        "url": record.url,
        "update_date": record.update_date,
        "update_date_including_text": record.update_date_including_text,
        "sponsor": _dump(asdict(record.sponsor)) if record.sponsor else None,
        "latest_action": _dump({"date": latest.date, "text": latest.text}) if latest else None,
        "policy_area": record.policy_area,
        "actions": _dump([asdict(a) for a in record.actions]),
        "cosponsors": _dump([asdict(c) for c in record.cosponsors]),
        "committees": _dump(list(record.committees)),
        "related_bills": _dump([asdict(r) for r in record.related]),
        "subjects": _dump(list(record.subjects)),
        "summaries": _dump([asdict(s) for s in record.summaries]),
        "titles": _dump(list(record.titles)),
        "text_versions": _dump([asdict(v) for v in record.text_versions]),
    }


def version_key(record: BillRecord) -> str | None:
    stamp = record.update_date_including_text or record.update_date
    return f"{stamp}|{record.layout_rank}" if stamp else None


def _merge(existing: dict[str, Any] | None, record: BillRecord) -> dict[str, Any]:
    incoming = bill_columns(record)
    key = version_key(record)
    if existing is None:
        return {**incoming, "version_key": key, "sources": _dump([record.source])}
    row = dict(existing)
    if key is not None and existing.get("version_key") and key <= existing["version_key"]:
        # An older (or equally new) description of the bill: keep what we have.
        row["sources"] = _dump(
            sorted(set(json.loads(existing.get("sources") or "[]")) | {record.source})
        )
        return row
    if key is not None:
        row["version_key"] = key
    for key in ("congress", "type", "number"):
        row[key] = incoming[key]
    for part, cols in PART_COLUMNS.items():
        if part in record.parts:
            for col in cols:
                if incoming[col] is not None:
                    row[col] = incoming[col]
    row["sources"] = _dump(
        sorted(set(json.loads(existing.get("sources") or "[]")) | {record.source})
    )
    return row


def _json_list(row: dict[str, Any], col: str) -> list[dict[str, Any]]:
    """A JSON list column of a bill row, empty when unset."""
    return json.loads(row.get(col) or "[]")


def _action_events(
    bid: str, label: str, old: dict[str, Any], after: dict[str, Any], now: str
) -> list[dict[str, Any]]:
    """An event for each action of ``after`` that ``old`` lacks."""
    events = []
    seen = {(a["date"], a["text"]) for a in _json_list(old, "actions")}
    for a in _json_list(after, "actions"):
        if (a["date"], a["text"]) not in seen:
            events.append(
                _event(
                    "bill_action",
                    "bills",
                    bid,
                    None,
                    a["date"],
                    "action",
                    now,
                    f"{label}: {a['text']}",
                    {"code": a.get("code"), "chamber": a.get("chamber")},
                )
            )
    return events


def _cosponsor_events(
    bid: str, label: str, old: dict[str, Any], after: dict[str, Any], now: str
) -> list[dict[str, Any]]:
    """An event for each cosponsor added or withdrawn since ``old``."""
    events = []
    old_cos = {c.get("bioguide_id") or c["name"]: c for c in _json_list(old, "cosponsors")}
    for c in _json_list(after, "cosponsors"):
        key = c.get("bioguide_id") or c["name"]
        prev = old_cos.get(key)
        if prev is None:
            events.append(
                _event(
                    "cosponsor_added",
                    "bills",
                    bid,
                    None,
                    c.get("date"),
                    "sponsorship",
                    now,
                    f"{label}: {c['name']} cosponsored",
                    {"original": c.get("original"), "member": c},
                )
            )
        if c.get("withdrawn") and not (prev or {}).get("withdrawn"):
            events.append(
                _event(
                    "cosponsor_withdrawn",
                    "bills",
                    bid,
                    None,
                    c["withdrawn"],
                    "withdrawal",
                    now,
                    f"{label}: {c['name']} withdrew as cosponsor",
                    {"member": c},
                )
            )
    return events


def _text_version_events(
    bid: str, label: str, old: dict[str, Any], after: dict[str, Any], now: str
) -> list[dict[str, Any]]:
    """An event for each text version of ``after`` that ``old`` lacks."""
    events = []
    old_versions = {(v.get("code"), v.get("date")) for v in _json_list(old, "text_versions")}
    for v in _json_list(after, "text_versions"):
        if (v.get("code"), v.get("date")) not in old_versions:
            events.append(
                _event(
                    "text_version",
                    "bills",
                    bid,
                    None,
                    v.get("date"),
                    "text",
                    now,
                    f"{label}: text {v.get('name') or v.get('code')}",
                    {"url": v.get("url"), "code": v.get("code")},
                )
            )
    return events


def _diff_events(
    bid: str, before: dict[str, Any] | None, after: dict[str, Any], now: str
) -> list[dict[str, Any]]:
    label = bill_label(bid)
    events = []
    title = after.get("short_title") or after.get("title") or ""
    if before is None:
        sponsor = (
            json.loads(after["sponsor"])["name"] if after.get("sponsor") else "unknown sponsor"
        )
        events.append(
            _event(
                "bill_introduced",
                "bills",
                bid,
                None,
                after.get("introduced"),
                "introduced",
                now,
                f"{label} introduced: {title} ({sponsor})",
            )
        )
    old = before or {}
    events.extend(_action_events(bid, label, old, after, now))
    events.extend(_cosponsor_events(bid, label, old, after, now))
    events.extend(_text_version_events(bid, label, old, after, now))
    if before is not None and before.get("status") != after.get("status"):
        events.append(
            _event(
                "status_changed",
                "bills",
                bid,
                None,
                after.get("status_date"),
                "action",
                now,
                f"{label}: {before.get('status')} → {after.get('status')}",
                {"from": before.get("status"), "to": after.get("status")},
            )
        )
    return events


def upsert_bill(db: Database, record: BillRecord, prov: Provenance | None = None) -> BillLoad:
    """Merge a bill record (only the parts it carries) and record events."""
    now = now_iso()
    result = BillLoad()
    with db.atomic():
        existing = next(iter(db.query("select * from bills where id = ?", [record.id])), None)
        row = _merge(existing, record)
        actions = [BillAction(**a) for a in json.loads(row.get("actions") or "[]")]
        status, status_date = derive_status(actions, row.get("introduced"))
        row["status"], row["status_date"] = str(status), status_date
        compare = {k: v for k, v in row.items() if k not in ("recorded_at", "updated_at")}
        if existing is not None and compare == {
            k: v for k, v in existing.items() if k not in ("recorded_at", "updated_at")
        }:
            db.table("provenance").insert_all(
                _provenance_rows("bills", [record.id], prov), ignore=True
            )
            return result
        result.created = existing is None
        result.changed = existing is not None
        row["recorded_at"] = existing["recorded_at"] if existing else now
        row["updated_at"] = now
        result.events = _diff_events(record.id, existing, row, now)
        db.table("bills").upsert(row, pk="id")
        if result.events:
            db.table("events").insert_all(result.events)
        db.table("provenance").insert_all(_provenance_rows("bills", [record.id], prov), ignore=True)
    return result


def upsert_bill_text(
    db: Database,
    *,
    bill_id: str,
    code: str,
    name: str | None,
    date: str | None,
    url: str | None,
    document_id: str,
    text_before_amendment: str | None,
) -> None:
    with db.atomic():
        db.table("bill_texts").upsert(
            {
                "id": f"{bill_id}/{code}",
                "bill_id": bill_id,
                "code": code,
                "name": name,
                "date": date,
                "url": url,
                "document_id": document_id,
                "text_before_amendment": text_before_amendment,
            },
            pk="id",
        )


def refresh_families(db: Database) -> int:
    """Regroup every bill into families; returns how many families there are."""
    texts = {
        r["bill_id"]: r["text"]
        for r in db.query(
            "select t.bill_id, d.text from bill_texts t join documents d on d.id = t.document_id"
        )
    }
    bills = [
        BillForFamily(
            r["id"],
            r["short_title"],
            r["title"],
            tuple((x["id"], x.get("relationship")) for x in json.loads(r["related_bills"] or "[]")),
            texts.get(r["id"]),
        )
        for r in db.query("select id, short_title, title, related_bills from bills")
    ]
    families = group_families(bills)
    now = now_iso()
    with db.atomic():
        db.execute("delete from families")
        for fid, members in families.items():
            name = next(
                (
                    r[0]
                    for r in db.execute(
                        "select short_title from bills where id = ? and short_title is not null",
                        [members[-1]],
                    )
                ),
                None,
            )
            db.table("families").insert(
                {
                    "id": fid,
                    "name": name or bill_label(members[0]),
                    "bill_ids": _dump(members),
                    "updated_at": now,
                }
            )
            for member in members:
                db.execute(
                    "update bills set family = ? where id = ? and coalesce(family, '') != ?",
                    [fid, member, fid],
                )
    return len(families)
