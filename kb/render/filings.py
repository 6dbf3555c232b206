"""The page of one filing, with its quotes highlighted in context (campaigns, dockets and
press have modules of their own)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from kb.render.campaigns import resubmitted
from kb.render.issues import issue_name
from kb.render.markup import (
    block,
    category_label,
    display_quote,
    esc,
    link,
    page_head,
    stance_badge,
    table,
)
from kb.render.review import review_cell
from kb.rounds import UNKNOWN, round_label

Row = dict[str, Any]


def filing_label(doc: Row) -> str:
    """Who filed it, as a reader would name it (a press article: its publisher, as
    recorded; never its headline)."""
    if doc.get("kind") == "press":
        return f"{doc['submitter']} (press)" if doc.get("submitter") else "press article"
    return str(
        doc.get("org_name")
        or doc.get("submitter")
        or doc.get("holder")
        or doc.get("title")
        or doc["id"]
    )


def highlighted_text(
    text: str, pages: Sequence[Sequence[int]] | None, marks: list[tuple[int, int, str]]
) -> Markup:
    """The full text, escaped, with each quote in a ``<mark>`` and page breaks marked.

    Where quotes overlap (one passage backing several positions) the first is
    highlighted and the others, inside it, get an empty anchor of their own: every
    "in context" link lands on its quote."""
    cuts: list[tuple[int, int, str]] = []  # (offset, order, anchor or html)
    for start, end, anchor in sorted(marks):
        cuts.append((start, 1, anchor))
        cuts.append((end, 0, anchor))
    for n, (start, _) in enumerate(pages or [], 1):
        cuts.append((start, 2, f'<span class="kb-page" id="page-{n}">page {n}</span>'))
    cuts.sort(key=lambda c: (c[0], c[1]))
    out, pos, highlighted = [], 0, None
    for offset, order, item in cuts:
        if order == 1 and highlighted is not None:
            html = f'<span class="kb-anchor" id="{item}"></span>'
        elif order == 1:
            html, highlighted = f'<mark id="{item}">', item
        elif order == 0 and item == highlighted:
            html, highlighted = "</mark>", None
        elif order == 0:
            continue  # the end of a quote inside the highlighted one
        else:
            html = item
        out.append(str(esc(text[pos:offset])))
        out.append(html)
        pos = offset
    out.append(str(esc(text[pos:])))
    if highlighted is not None:
        out.append("</mark>")
    return Markup('<div class="kb-fulltext">' + "".join(out) + "</div>")


def public_source(url: object) -> object:
    """Where a record came from, as a reader can use it: the upstream URL, or for a
    recorded file imported from disk its place in the recorded corpus (never a path on
    the machine that ran the import)."""
    if not isinstance(url, str) or not url.startswith("file:"):
        return url
    path = unquote(urlsplit(url).path)
    marker = "/corpus/"
    where = (
        path[path.rindex(marker) + len(marker) :] if marker in path else PurePosixPath(path).name
    )
    return f"recorded copy: {where}"


def attachment_rows(listed: Sequence[str], held: Sequence[Row]) -> list[list[object]]:
    """Every attachment the upstream lists (its title), with the file we hold for it,
    or "file not in this knowledge base" (never fetched: only its title is known);
    then any file we hold that the upstream does not list."""

    def row(title: str, a: Row | None) -> list[object]:
        if a is None or a.get("status") == "pending":
            return [title, NOT_HELD, a.get("format") if a else "", "", ""]
        return [
            title,
            a.get("file_name") or "",
            a.get("format"),
            a.get("n_pages") or "",
            a.get("status"),
        ]

    by_title = {(a.get("title") or "").strip(): a for a in held}
    rows = [row(title, by_title.pop(title.strip(), None)) for title in listed]
    return rows + [row(a.get("title") or "", a) for a in by_title.values()]


NOT_HELD = "file not in this knowledge base"


def dates_rows(doc: Row) -> list[tuple[str, object]]:
    """Posted and received dates where known, and the comment round (initial / reply)."""
    rows: list[tuple[str, object]] = [
        ("Posted", (doc.get("posted_at") or "")[:10] or "not recorded")
    ]
    if doc.get("received_at"):
        rows.append(("Received", doc["received_at"][:10]))
    if doc.get("kind") == "comment" and doc.get("docket_id"):
        rows.append(("Round", round_label(doc.get("round") or UNKNOWN)))
    return rows


def positions_html(
    positions: Sequence[Row], holder_word: str = "holder", missing_files: int = 0
) -> tuple[str, list[tuple[int, int, str]]]:
    """The positions with their quotes (each linked to its place in the full text), and
    the marks that place them there; with none, why (``missing_files``: attachments
    the upstream lists whose file the knowledge base does not hold)."""
    if not positions and missing_files:
        files = f"{missing_files} attached file" + (" is" if missing_files == 1 else "s are")
        return (
            "<h2>Positions</h2><p>No position could be read: "
            f"{files} not in this knowledge base, and the tagger read only the text "
            "below.</p>",
            [],
        )
    if not positions:
        return "<h2>Positions</h2><p>The tagger found no position in this document.</p>", []
    marks: list[tuple[int, int, str]] = []
    items = []
    for i, p in enumerate(positions):
        quotes = []
        for j, q in enumerate(p["quotes"]):
            anchor = f"q{i}-{j}"
            marks.append((q["start"], q["end"], anchor))
            where = f" (page {q['page']})" if q.get("page") else ""
            quotes.append(
                f'<blockquote>{esc(display_quote(q["text"], 2000))}<br><a href="#{anchor}">in context{esc(where)}</a></blockquote>'
            )
        items.append(
            f"<li><strong>{esc(issue_name(p['issue']))}</strong>: {stance_badge(p['stance'])} "
            f"— {esc(holder_word)} {esc(p['holder'])}, {review_cell(p)} "
            f"({esc(p['method'])}){''.join(quotes)}</li>"
        )
    return '<h2>Positions</h2><ul class="kb-positions">' + "".join(items) + "</ul>", marks


def text_and_provenance(
    text: str,
    pages: Sequence[Sequence[int]] | None,
    marks: list[tuple[int, int, str]],
    provenance: Sequence[Row],
) -> list[str]:
    parts = ["<h2>Full text</h2>"]
    parts.append(str(highlighted_text(text, pages, marks)) if text else "<p>No text.</p>")
    if provenance:
        parts.append(
            "<h2>Provenance</h2>"
            + table(
                ["Fetched", "Status", "SHA-256", "Source"],
                [
                    [
                        p.get("fetched_at"),
                        p.get("http_status"),
                        (p.get("sha256") or "")[:16],
                        public_source(p.get("url")),
                    ]
                    for p in provenance
                ],
            )
        )
    return parts


def render_filing(
    doc: Row,
    text: str,
    pages: Sequence[Sequence[int]] | None,
    positions: Sequence[Row],
    attachments: Sequence[Row],
    provenance: Sequence[Row],
    mentions: Sequence[Row],
    campaign: Row | None,
    org_pages: dict[str, str],
) -> str:
    """One filing: metadata, positions with their quotes, full text, original link, provenance."""
    label = filing_label(doc)
    meta = [
        ("Document", doc["id"]),
        ("Kind", doc.get("kind")),
        ("Filed by", label),
        ("Category", category_label(doc.get("category"))),
        ("Docket", doc.get("docket_id") or "—"),
        *dates_rows(doc),
        ("Language", doc.get("language") or "—"),
    ]
    if doc.get("comment_on_document_id"):
        meta.append(("Comment on", doc["comment_on_document_id"]))
    rows: list[list[object]] = [[k, v] for k, v in meta]
    for oid in doc.get("org_ids") or []:
        if oid in org_pages:
            rows.append(["Organisation page", link(f"../../organizations/{oid}/", org_pages[oid])])
    if doc.get("url"):
        rows.append(["Original", link(doc["url"], doc["url"], external=True)])
    if campaign and resubmitted(campaign):
        rows.append(
            ["Filed again", link(f"../../campaigns/{campaign['id']}/", campaign.get("name"))]
        )
    elif campaign:
        rows.append(
            [
                "Campaign",
                link(
                    f"../../campaigns/{campaign['id']}/",
                    f"{campaign.get('name') or 'form letter'}, "
                    f"{campaign.get('signers', campaign['size'])} signatories",
                ),
            ]
        )
    listed = attachment_rows(doc.get("listed_attachments") or [], attachments)
    missing = sum(1 for row in listed if row[1] == NOT_HELD)
    listed_positions, marks = positions_html(positions, missing_files=missing)
    parts = [
        f'<p class="kb-lede">Filed by <strong>{esc(label)}</strong></p>',
        table(["", ""], rows),
        listed_positions,
    ]
    if mentions:
        parts.append(mentions_table(mentions))
    if listed:
        parts.append(
            "<h2>Attachments</h2>"
            + table(["Title", "File", "Format", "Pages", "Extraction"], listed)
        )
    parts += text_and_provenance(text, pages, marks, provenance)
    return page_head(doc["id"]) + block("\n".join(parts), "kb-filing") + "\n"


def mentions_table(mentions: Sequence[Row]) -> str:
    return "<h2>Mentions</h2>" + table(
        ["Mentions", "as written"],
        [[f"{m['target_type']}: {m['target_id']}", m["matched"]] for m in mentions],
    )
