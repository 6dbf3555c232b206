"""The site's downloads: every export in JSON lines and CSV, and the SQLite database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.records_io import write_records
from kb.store import answers, positions, query

Exporter = Callable[[Database], Iterable[dict[str, Any]]]
EXPORTS: list[tuple[str, str, Exporter]] = [
    ("positions", "positions with their verified quotes", positions.export_positions),
    ("documents", "every document's metadata", query.export_documents),
    (
        "organizations",
        "organisations, aliases, categories, filings",
        positions.export_organizations,
    ),
    ("campaigns", "form-letter campaigns and their members", positions.export_campaigns),
    ("bills", "bills with sponsors, cosponsors, actions, status", query.export_bills),
    ("matrix", "who supports what: organisations × issues, every docket", positions.export_matrix),
    ("questions", "the Notice's numbered questions", answers.export_questions),
    ("answers", "passages of filings that answer each question", answers.export_answers),
    ("replies", "who answers whom: filings naming other commenters", answers.export_replies),
]


def write_downloads(db: Database, folder: Path) -> list[tuple[str, str, int]]:
    """Write the download files; (file name, what, size in bytes) of each."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, what, export in EXPORTS:
        for fmt in ("jsonl", "csv"):
            path = folder / f"{name}.{fmt}"
            with path.open("w", encoding="utf-8", newline="") as out:
                write_records(export(db), fmt, out)
            files.append((path.name, f"{what} ({fmt.upper()})", path.stat().st_size))
    for docket in [r["id"] for r in db.query("select id from dockets order by id")]:
        path = folder / f"matrix-{docket}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            write_records(positions.export_matrix(db, docket), "csv", out)
        files.append(
            (path.name, f"who supports what in docket {docket} (CSV)", path.stat().st_size)
        )
    path = folder / "documents-with-text.jsonl"
    with path.open("w", encoding="utf-8") as out:
        write_records(query.export_documents(db, with_text=True), "jsonl", out)
    files.append(
        (path.name, "documents with full text and page ranges (JSONL)", path.stat().st_size)
    )
    path = folder / "kb.db"
    path.unlink(missing_ok=True)
    target = sqlite3.connect(path)
    with target:
        db.conn.backup(target)
    keep_public(target)
    target.close()
    files.append((path.name, "the whole SQLite database (datasette-ready)", path.stat().st_size))
    return files


#: Tables of the running knowledge base that are not for readers (failures, watermarks).
PRIVATE_TABLES = ("failures", "sync_state")
#: Columns that hold places on the importing machine.
LOCAL_PATH_COLUMNS = (("attachments", "archive_path"), ("provenance", "archive_path"))


def keep_public(conn: sqlite3.Connection) -> None:
    """Drop the private tables and local paths from the published copy of the database."""
    with conn:
        for table in PRIVATE_TABLES:
            conn.execute(f'drop table if exists "{table}"')
        for table, column in LOCAL_PATH_COLUMNS:
            conn.execute(f'update "{table}" set "{column}" = null')
    conn.execute("vacuum")
