"""A content hash per table, timestamps and row numbering excluded: how two runs of a stage
are compared (crash tests, kb bench engines)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

#: Columns that say when something ran, not what was loaded.
TIMESTAMPS = frozenset({"recorded_at", "updated_at", "tagged_at", "synced_at", "built_at"})
#: FTS5 shadow tables hold the index's internal layout; the FTS table's rows are compared.
SHADOW = ("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")


def table_hashes(path: Path, ignore: frozenset[str] = frozenset()) -> dict[str, str]:
    """A hash per table; ``ignore`` names more columns to leave out (besides ``TIMESTAMPS``)."""
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute("select name from sqlite_master where type = 'table'")
            if not row[0].startswith(("sqlite_", "_sqlite")) and not row[0].endswith(SHADOW)
        ]
        out = {}
        for name in sorted(names):
            info = conn.execute(
                f"select name, type, pk from pragma_table_info('{name}')"
            ).fetchall()
            cols = [
                c
                for c, kind, pk in info
                if c not in TIMESTAMPS | ignore and not (pk and kind == "INTEGER")
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = sorted(
                json.dumps(list(r), default=str)
                for r in conn.execute(f'select {select} from "{name}"')
            )
            out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return out
    finally:
        conn.close()
