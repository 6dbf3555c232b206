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
    """One record per (document, holder, issue), quotes decoded; ``reviewed_at`` where the
    reviews were applied (the published copy), else null."""
    if not db["positions"].exists():
        return
    reviewed = (
        "reviewed_at" if "reviewed_at" in db["positions"].columns_dict else "null as reviewed_at"
    )
    for row in db.query(
        f"select {', '.join(POSITION_FIELDS)}, {reviewed} from positions "
        "order by document_id, holder, issue"
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


def stance_matrix(db: Database, docket: str | None = None) -> list[dict[str, Any]]:
    """Who supports what: one row per organisation that took a position in its own filings
    (of ``docket``, or of every docket), and per issue the stance of its most confident
    position there, with the filing and quote that back it, and how many of its filings
    took a position on the issue and whether they disagree."""
    from nlp.stance import ISSUES

    where, args = ("and d.docket_id = ?", [docket]) if docket else ("", [])
    filed: dict[str, set[str]] = defaultdict(set)
    for doc_id, org_ids in db.execute(
        f"select d.id, d.org_ids from documents d where d.org_ids is not null {where}", args
    ):
        for oid in json.loads(org_ids):
            filed[oid].add(doc_id)
    held: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    index: dict[str, int] = defaultdict(int)
    # The order of the filing page's positions list (its quotes' anchors are q{i}-{j}).
    reviewed = (
        "reviewed_at" if "reviewed_at" in db["positions"].columns_dict else "null as reviewed_at"
    )
    for pos in db.query(
        "select document_id, holder_id, issue, stance, confidence, quotes, review_state, "
        f"{reviewed} from positions order by document_id, issue, holder"
    ):
        i = index[pos["document_id"]]
        index[pos["document_id"]] += 1
        oid = pos["holder_id"]
        if oid and pos["document_id"] in filed.get(oid, ()):
            quotes = json.loads(pos["quotes"] or "[]")
            held[oid][pos["issue"]].append(
                {**dict(pos), "position": i, "quote": quotes[0]["text"] if quotes else ""}
            )
    orgs = {
        r["id"]: dict(r)
        for r in db.query("select id, name, category from organizations order by id")
    }
    out = []
    for oid, issues in held.items():
        org = orgs.get(oid) or {"name": oid, "category": None}
        row: dict[str, Any] = {
            "organization_id": oid,
            "organization": org["name"],
            "category": org["category"] or "unknown",
            "docket": docket or "",
            "filings": len(filed[oid]),
        }
        for issue in ISSUES:
            rows = sorted(issues.get(issue, []), key=lambda p: -float(p["confidence"] or 0))
            best = rows[0] if rows else None
            row[issue] = best["stance"] if best else ""
            row[f"{issue}_document"] = best["document_id"] if best else ""
            row[f"{issue}_position"] = best["position"] if best else None
            row[f"{issue}_quote"] = best["quote"] if best else ""
            row[f"{issue}_filings"] = len({p["document_id"] for p in rows})
            row[f"{issue}_disagree"] = len({p["stance"] for p in rows}) > 1
            row[f"{issue}_review"] = (best["review_state"] or "machine") if best else ""
            row[f"{issue}_reviewed_at"] = (best["reviewed_at"] or "") if best else ""
        out.append(row)
    out.sort(key=lambda r: str(r["organization"]).lower())
    return out


def export_matrix(db: Database, docket: str | None = None) -> Iterator[dict[str, Any]]:
    """The who-supports-what matrix (of one docket, or every one) for the downloads."""
    for row in stance_matrix(db, docket):
        yield {k: v for k, v in row.items() if not k.endswith("_position")}
