"""A press article's page: its headline, publisher, author, date, address and language as
recorded ("not recorded" where the record lacks one: nothing is inferred), and the
organisations it reports positions for, who are not its filers. Pure: rows in, Markdown out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from kb.render.filings import positions_html, text_and_provenance
from kb.render.issues import issue_name
from kb.render.markup import block, esc, link, page_head, plain_title, stance_badge, table

Row = dict[str, Any]
NOT_RECORDED = "not recorded"
LANGUAGES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish"}


def publisher(doc: Row) -> str | None:
    """The outlet, where the record names it (a feed's name, set when ``kb sync`` read it)."""
    return doc.get("submitter") or None


def language_label(code: str | None) -> str:
    if not code:
        return NOT_RECORDED
    return f"{LANGUAGES[code]} ({code})" if code in LANGUAGES else code


def reported_rows(positions: Sequence[Row], org_pages: dict[str, str]) -> list[list[object]]:
    """One row per organisation or person the article reports, with what it reports them holding."""
    by_holder: dict[str, list[Row]] = {}
    for p in positions:
        by_holder.setdefault(p["holder"], []).append(p)
    rows: list[list[object]] = []
    for holder, held in sorted(by_holder.items()):
        oid = held[0].get("holder_id")
        name = (
            link(f"../../organizations/{oid}/", org_pages.get(oid, holder))
            if oid and oid in org_pages
            else esc(holder)
        )
        stances = Markup("; ").join(
            Markup("{}: {}").format(issue_name(p["issue"]), stance_badge(p["stance"])) for p in held
        )
        rows.append([name, stances])
    return rows


def render_press(
    doc: Row,
    text: str,
    positions: Sequence[Row],
    provenance: Sequence[Row],
    org_pages: dict[str, str],
) -> str:
    """One press article."""
    url = doc.get("url")
    meta: list[list[object]] = [
        ["Document", doc["id"]],
        ["Kind", "press article"],
        ["Headline", doc.get("title") or NOT_RECORDED],
        ["Publisher", publisher(doc) or NOT_RECORDED],
        ["Author", NOT_RECORDED],  # no source records an article's author yet
        ["Published", (doc.get("posted_at") or "")[:10] or NOT_RECORDED],
        ["Address", link(url, url, external=True) if url else NOT_RECORDED],
        ["Language", language_label(doc.get("language"))],
    ]
    reported = reported_rows(positions, org_pages)
    listed, marks = positions_html(positions, holder_word="reported holder")
    parts = [
        str(
            Markup(
                '<p class="kb-lede">Press article: {}. It reports positions; it files none.</p>'
            ).format(publisher(doc) or "publisher not recorded")
        ),
        table(["", ""], meta),
        "<h2>Reported (not filers)</h2>",
        table(["Reported holder", "Positions the article reports"], reported)
        if reported
        else "<p>The tagger found no organisation or person whose position the article reports.</p>",
        listed,
        *text_and_provenance(text, None, marks, provenance),
    ]
    title = plain_title(doc.get("title") or doc["id"])
    return page_head(title) + block("\n".join(parts), "kb-filing") + "\n"
