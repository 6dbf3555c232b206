"""A document's text: its body, then its attachments' texts, in one string that every
offset (quotes, passages, pages) indexes into; recomputed when an attachment changes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

TEXT_SEPARATOR = "\n\n"


def compose_text(
    body: str | None, attachments: Sequence[dict[str, Any]]
) -> tuple[str, list[list[int]] | None, dict[str, int]]:
    """The document text that every offset indexes into: body, then attachment texts."""
    parts: list[str] = []
    pages: list[list[int]] = []
    starts: dict[str, int] = {}
    pos = 0
    if body:
        parts.append(body)
        pos = len(body)
    for att in attachments:
        text = att.get("text")
        if att.get("status") != "ok" or not text:
            continue
        if parts:
            pos += len(TEXT_SEPARATOR)
        starts[att["id"]] = pos
        for start, end in json.loads(att["pages"]) if att.get("pages") else []:
            pages.append([pos + start, pos + end])
        parts.append(text)
        pos += len(text)
    return TEXT_SEPARATOR.join(parts), (pages or None), starts


def refresh_document_text(db: Database, doc_ids: Sequence[str]) -> None:
    """Recompute ``documents.text``/``pages``/``text_sha`` from body and attachments."""
    for doc_id in doc_ids:
        doc = db.execute("select body, text_sha from documents where id = ?", [doc_id]).fetchone()
        if doc is None:
            continue
        atts = list(
            db.query(
                "select id, text, pages, status from attachments where document_id = ? "
                "order by seq, format",
                [doc_id],
            )
        )
        text, pages, starts = compose_text(doc[0], atts)
        sha = hashlib.sha256(text.encode()).hexdigest()
        if sha != doc[1]:
            db.execute(
                "update documents set text = ?, pages = ?, text_sha = ? where id = ?",
                [text, json.dumps(pages) if pages else None, sha, doc_id],
            )
        for att_id, start in starts.items():
            db.execute("update attachments set text_start = ? where id = ?", [start, att_id])


__all__ = ["TEXT_SEPARATOR", "compose_text", "refresh_document_text"]
