"""The "data as of" line: per source, when it was last synced or imported and its newest
record's date. Pure: :mod:`kb.store.freshness` rows in, text out (plain for Markdown and
e-mail, escaped HTML for pages and the site footer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from kb.store.freshness import SourceFreshness


def _day(timestamp: str | None) -> str:
    return timestamp[:10] if timestamp else "not recorded"


def source_phrase(row: SourceFreshness) -> str:
    """ "regulations.gov: synced 2026-12-01, newest record 2024-09-11"."""
    if row.synced and (not row.imported or row.synced >= row.imported):
        got = f"synced {_day(row.synced)}"
    else:
        got = f"recorded copy of {_day(row.imported)} imported"
    newest = f"newest record {_day(row.newest)}" if row.newest else "no dated record"
    return f"{row.source}: {got}, {newest}"


def freshness_text(rows: Sequence[SourceFreshness], loaded: str | None) -> str:
    """One line of plain text (no markup), for Markdown, e-mail and the footer."""
    if not rows:
        return "Data as of: nothing loaded yet."
    when = f"{loaded[:16].replace('T', ' ')} UTC" if loaded else "not recorded"
    return f"Data as of {when} — " + "; ".join(source_phrase(r) for r in rows) + "."


def freshness_html(rows: Sequence[SourceFreshness], loaded: str | None) -> Markup:
    """The same line as an escaped paragraph."""
    return Markup('<p class="kb-freshness">{}</p>').format(freshness_text(rows, loaded))


def footer_html(rows: Sequence[SourceFreshness], loaded: str | None) -> str:
    """The line as the site footer carries it (MkDocs' ``copyright``, inserted unescaped by
    the theme, so escaped here)."""
    return str(escape(freshness_text(rows, loaded)))
