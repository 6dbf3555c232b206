"""The store: ``kb.db`` through sqlite-utils. The loaders here are its only writers."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from kb.store.schema import MIGRATIONS


def open_db(path: Path | str | None = None, *, memory: bool = False) -> Database:
    """Open (creating and migrating as needed) the knowledge-base database."""
    if memory:
        db = Database(memory=True)
    else:
        path = Path(path or "kb.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(path)
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA synchronous = NORMAL")
    MIGRATIONS.apply(db)
    return db
