"""Links between documents and what they mention: bills, families, dockets, reports, topics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlite_utils import Database


def upsert_links(
    db: Database,
    document_id: str,
    links: Iterable[
        tuple[str, str, str | None] | tuple[str, str, str | None, int | None, int | None]
    ],
    *,
    method: str,
) -> int:
    """Replace the links ``method`` found in ``document_id``; returns how many there are."""
    rows = []
    seen = set()
    for link in links:
        target_type, target_id, matched = link[0], link[1], link[2]
        start = link[3] if len(link) > 3 else None
        end = link[4] if len(link) > 4 else None
        key = (target_type, target_id, start)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "document_id": document_id,
                "target_type": target_type,
                "target_id": target_id,
                "matched": matched,
                "start": start,
                "end": end,
                "method": method,
            }
        )
    with db.atomic():
        db.execute("delete from links where document_id = ? and method = ?", [document_id, method])
        if rows:
            db.table("links").insert_all(rows)
    return len(rows)


def replace_links_bulk(
    db: Database, method: str, by_document: Mapping[str, Sequence[tuple]]
) -> int:
    """Replace ``method``'s links of many documents in one transaction."""
    rows = []
    for doc_id, links in by_document.items():
        for target_type, target_id, matched, start, end in links:
            rows.append(
                {
                    "document_id": doc_id,
                    "target_type": target_type,
                    "target_id": target_id,
                    "matched": matched,
                    "start": start,
                    "end": end,
                    "method": method,
                }
            )
    with db.atomic():
        ids = list(by_document)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            db.execute(
                f"delete from links where method = ? and document_id in ({','.join('?' * len(chunk))})",
                [method, *chunk],
            )
        if rows:
            db.table("links").insert_all(rows, batch_size=1000)
    return len(rows)
