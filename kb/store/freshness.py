"""How fresh the data is, per source: when it was last synced or imported, and the date
of its newest record (rows in, no rendering: :mod:`kb.render.freshness` words it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    #: newest ``fetched_at`` of a response fetched from the upstream (``kb sync``; its
    #: provenance is an http(s) address)
    synced: str | None
    #: newest ``fetched_at`` of a recorded file read from disk (``kb import``: a ``file:``
    #: address, or in the published copy its place in the recorded corpus)
    imported: str | None
    #: the newest upstream date of its records (posting date, bill action, text version)
    newest: str | None


def _by_source(db: Database, sql: str) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute(sql).fetchall() if r[0] and r[1]}


def source_freshness(db: Database) -> list[SourceFreshness]:
    """One row per source that holds records, by source name."""
    if not db["provenance"].exists():
        return []
    synced = _by_source(
        db,
        "select source, max(fetched_at) from provenance where url like 'http%' group by source",
    )
    imported = _by_source(
        db,
        "select source, max(fetched_at) from provenance where url not like 'http%' group by source",
    )
    newest: dict[str, str] = {}
    bill_source = (
        "from bills b join provenance p on p.record_table = 'bills' and p.record_id = b.id"
    )
    queries = [
        ("documents", "select source, max(posted_at) from documents group by source"),
        (
            "bills",
            f"select p.source, max(json_extract(b.latest_action, '$.date')) {bill_source} "
            "group by p.source",
        ),
        (
            "bills",
            f"select p.source, max(json_extract(v.value, '$.date')) {bill_source}, "
            "json_each(b.text_versions) v group by p.source",
        ),
    ]
    for table, sql in queries:
        if not db[table].exists():
            continue
        for source, when in _by_source(db, sql).items():
            newest[source] = max(newest.get(source, ""), str(when))
    sources = sorted(set(synced) | set(imported))
    return [
        SourceFreshness(s, synced.get(s), imported.get(s), newest.get(s) or None) for s in sources
    ]


def last_loaded(db: Database) -> str | None:
    """When the database last changed: the newest event recorded (import, sync or tag)."""
    if not db["events"].exists():
        return None
    row = db.execute("select max(recorded_at) from events").fetchone()
    return str(row[0]) if row and row[0] else None
