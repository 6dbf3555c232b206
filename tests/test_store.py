"""The store on a real SQLite file: upserts, events, FTS, migrations."""

from __future__ import annotations

import dataclasses

from kb.records import RICH_DETAIL, RICH_TEXT_ONLY
from kb.store import open_db
from kb.store.load import upsert_documents
from scrapers.regulations_gov.parse import parse_detail


def record(colc, n: str):
    return parse_detail((colc / f"documents/COLC-2023-0006-{n}.json").read_bytes(), item=n)


def test_events_created_changed_withdrawn(db, colc):
    rec = record(colc, "0005")
    stats = upsert_documents(db, [rec])
    assert stats.created == 1
    assert upsert_documents(db, [rec]).unchanged == 1
    edited = dataclasses.replace(
        rec, body=rec.body + " Edited.", modified_at="2023-11-02T10:00:00Z"
    )
    assert upsert_documents(db, [edited]).changed == 1
    gone = dataclasses.replace(
        edited, withdrawn=True, reason_withdrawn="Duplicate", modified_at="2023-11-03T10:00:00Z"
    )
    assert upsert_documents(db, [gone]).withdrawn == 1
    events = db.execute(
        "select event, upstream_date, upstream_field from events order by id"
    ).fetchall()
    assert events == [
        ("created", "2023-10-31T04:00:00Z", "posted"),
        ("changed", "2023-11-02T10:00:00Z", "modified"),
        ("withdrawn", "2023-11-03T10:00:00Z", "modified"),
    ]
    assert db["documents"].get(rec.id)["text"].endswith("Edited.")


def test_poorer_record_never_erases(db, colc):
    rec = record(colc, "0005")
    upsert_documents(db, [rec])
    poor = dataclasses.replace(
        rec, richness=RICH_TEXT_ONLY, title=None, posted_at=None, submitter=None, body=rec.body
    )
    assert upsert_documents(db, [poor]).unchanged == 1
    row = db["documents"].get(rec.id)
    assert row["richness"] == RICH_DETAIL and row["title"]


def test_fts_datasette_style(db, colc):
    upsert_documents(db, [record(colc, n) for n in ("0003", "0004", "0005")])
    assert db["documents"].detect_fts() == "documents_fts"
    hits = list(db["documents"].search("illustrator"))
    assert [h["id"] for h in hits] == ["COLC-2023-0006-0005"]


def test_wal_and_migrations_recorded(tmp_path):
    db = open_db(tmp_path / "k.db")
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in db.execute("select name from _sqlite_migrations")]
    assert names[0] == "m001_core"
    open_db(tmp_path / "k.db")  # re-opening applies nothing twice
    assert [r[0] for r in db.execute("select name from _sqlite_migrations")] == names
