"""The build's redline step: one page per pair of bill text versions the store lists
(:func:`kb.store.versions.load_pairs`), for the bill, family and index pages to link to."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from kb.redlines import Pair, SectionRedline, section_redline
from kb.render.redlines import render_redline
from kb.store.versions import load_pairs


def write_redline_pages(
    db: Database, write: Callable[[str, str], None]
) -> tuple[list[Pair], dict[str, SectionRedline]]:
    """Write ``bills/<pair slug>.md`` for every pair; returns the pairs and the redlines of
    those whose two texts are stored (keyed by slug)."""
    pairs = load_pairs(db)
    bills = {r[0] for r in db.execute("select id from bills")} if db["bills"].exists() else set()
    diffs: dict[str, SectionRedline] = {}
    for pair in pairs:
        if not pair.missing:
            diffs[pair.slug] = section_redline(pair.before.text or "", pair.after.text or "")
        write(f"bills/{pair.slug}.md", render_redline(pair, diffs.get(pair.slug), bills))
    return pairs, diffs
