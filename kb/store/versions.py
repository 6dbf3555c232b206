"""Bill text versions as the store knows them: every version a bill's status lists (with
its text when stored) and the redline pairs they form (:mod:`kb.redlines`)."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlite_utils import Database

from kb.redlines import Pair, Version, version_pairs


def load_versions(db: Database) -> dict[str, list[Version]]:
    """bill id → its text versions: those the bill's status lists, and any stored text
    (imported from a BILLS file) whose bill has no status record."""
    stored: dict[tuple[str, str], tuple[str, str | None]] = {}
    if db["bill_texts"].exists():
        for r in db.query(
            "select t.bill_id, t.code, t.name, t.date, d.text, d.url from bill_texts t "
            "join documents d on d.id = t.document_id"
        ):
            stored[(r["bill_id"], r["code"])] = (r["text"], r["url"])
    out: dict[str, list[Version]] = defaultdict(list)
    listed: set[tuple[str, str]] = set()
    if db["bills"].exists():
        for r in db.query("select id, text_versions from bills order by id"):
            for v in json.loads(r["text_versions"] or "[]"):
                code = (v.get("code") or "").lower()
                if not code or (r["id"], code) in listed:
                    continue
                listed.add((r["id"], code))
                text, _ = stored.get((r["id"], code), (None, None))
                out[r["id"]].append(
                    Version(r["id"], code, v.get("name"), v.get("date"), v.get("url"), text)
                )
    if db["bill_texts"].exists():
        for r in db.query(
            "select bill_id, code, name, date from bill_texts order by bill_id, date"
        ):
            if (r["bill_id"], r["code"]) not in listed:
                text, url = stored[(r["bill_id"], r["code"])]
                out[r["bill_id"]].append(
                    Version(r["bill_id"], r["code"], r["name"], r["date"], url, text)
                )
    return dict(out)


def load_pairs(db: Database) -> list[Pair]:
    """Every redline the store can list: consecutive versions along each family's lineage,
    and each committee amendment inside a stored version."""
    versions = load_versions(db)
    families: dict[str, list[str]] = defaultdict(list)
    if db["bills"].exists():
        for r in db.query("select id, family from bills order by id"):
            families[r["family"] or r["id"]].append(r["id"])
    pairs = version_pairs(dict(families), versions)
    if db["bill_texts"].exists():
        for r in db.query(
            "select t.bill_id, t.code, t.name, t.date, t.text_before_amendment, d.text, d.url "
            "from bill_texts t join documents d on d.id = t.document_id "
            "where t.text_before_amendment is not null and t.text_before_amendment != '' "
            "order by t.bill_id, t.code"
        ):
            after = Version(r["bill_id"], r["code"], r["name"], r["date"], r["url"], r["text"])
            before = Version(
                r["bill_id"], r["code"], r["name"], r["date"], r["url"], r["text_before_amendment"]
            )
            pairs.append(Pair(before, after, kind="amendment"))
    return pairs
