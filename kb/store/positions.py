"""Read-side queries for positions, organisations and campaigns (``kb export``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

POSITION_FIELDS = (
    "document_id",
    "holder",
    "holder_id",
    "issue",
    "stance",
    "confidence",
    "quotes",
    "method",
    "review_state",
)


def export_positions(db: Database) -> Iterator[dict[str, Any]]:
    """One record per (document, holder, issue), quotes decoded."""
    if not db["positions"].exists():
        return
    for row in db.query(
        f"select {', '.join(POSITION_FIELDS)} from positions order by document_id, holder, issue"
    ):
        out = dict(row)
        out["quotes"] = json.loads(out["quotes"] or "[]")
        out["confidence"] = round(float(out["confidence"] or 0.0), 3)
        yield out


def organization_documents(db: Database) -> dict[str, list[str]]:
    """Organisation id → the documents it filed (initial and reply rounds joined)."""
    out: dict[str, list[str]] = defaultdict(list)
    for doc_id, org_ids in db.execute(
        "select id, org_ids from documents where org_ids is not null order by id"
    ):
        for oid in json.loads(org_ids):
            out[oid].append(doc_id)
    return out


def export_organizations(db: Database) -> Iterator[dict[str, Any]]:
    if not db["organizations"].exists():
        return
    docs = organization_documents(db)
    for row in db.query("select id, name, aliases, category from organizations order by id"):
        out = dict(row)
        out["aliases"] = json.loads(out["aliases"] or "[]")
        out["document_ids"] = docs.get(out["id"], [])
        yield out


def export_campaigns(db: Database) -> Iterator[dict[str, Any]]:
    if not db["campaigns"].exists():
        return
    for row in db.query(
        "select id, size, template_document_id, document_ids, first_posted, last_posted "
        "from campaigns order by size desc, id"
    ):
        out = dict(row)
        out["document_ids"] = json.loads(out["document_ids"] or "[]")
        yield out
