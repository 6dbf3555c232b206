"""Read-side queries of the Notice's questions, the filings' answers and the reply graph
(tables ``questions``, ``answers``, ``replies``; written by ``kb tag``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

Row = dict[str, Any]
EXCERPT = 1200  # characters of an answer's text in the exports


def _has(db: Database, table: str) -> bool:
    return db[table].exists()


def questions(db: Database) -> list[Row]:
    """Every docket's questions in the Notice's order."""
    if not _has(db, "questions"):
        return []
    return [dict(r) for r in db.query("select * from questions order by docket_id, ord")]


def answers(db: Database) -> list[Row]:
    """Every answer, with the start of its text."""
    if not _has(db, "answers"):
        return []
    return [
        dict(r)
        for r in db.query(
            "select a.document_id, a.docket_id, a.question, a.how, a.score, a.start, a.end, "
            f"substr(d.text, a.start + 1, {EXCERPT}) as excerpt "
            "from answers a join documents d on d.id = a.document_id "
            "order by a.docket_id, a.document_id, a.start"
        )
    ]


def replies(db: Database) -> list[Row]:
    """Every reference of a filing to another commenter, with its sentence."""
    if not _has(db, "replies"):
        return []
    return [
        dict(r)
        for r in db.query(
            "select r.document_id, r.docket_id, r.target, o.name as target_name, r.relation, "
            "r.start, r.end, substr(d.text, r.start + 1, r.end - r.start) as sentence "
            "from replies r join documents d on d.id = r.document_id "
            "left join organizations o on o.id = r.target "
            "order by r.docket_id, r.document_id, r.start"
        )
    ]


def filings_of(db: Database) -> dict[str, list[str]]:
    """Organisation id → the documents it filed (alone or jointly)."""
    out: dict[str, list[str]] = {}
    for doc_id, ids in db.execute("select id, org_ids from documents where org_ids is not null"):
        for org in json.loads(ids or "[]"):
            out.setdefault(org, []).append(doc_id)
    return out


def export_questions(db: Database) -> Iterator[Row]:
    for q in questions(db):
        yield {k: q[k] for k in ("docket_id", "number", "parent", "grp", "text", "document_id")}


def export_answers(db: Database) -> Iterator[Row]:
    yield from answers(db)


def export_replies(db: Database) -> Iterator[Row]:
    """Edges of the reply graph; ``target_document_ids``: the target's filings in the docket."""
    filed = filings_of(db)
    for r in replies(db):
        targets = [d for d in filed.get(r["target"], []) if d != r["document_id"]]
        yield {**r, "target_document_ids": targets}
