"""Pages for one filing (with its quotes highlighted in context), campaigns and dockets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from kb.render.charts import volume_chart
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

Row = dict[str, Any]


def filing_label(doc: Row) -> str:
    """Who filed it, as a reader would name it."""
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
    """The full text, escaped, with each quote in a ``<mark>`` and page breaks marked."""
    cuts: list[tuple[int, int, str]] = []  # (offset, order, html)
    for start, end, anchor in sorted(marks):
        cuts.append((start, 1, f'<mark id="{anchor}">'))
        cuts.append((end, 0, "</mark>"))
    for n, (start, _) in enumerate(pages or [], 1):
        cuts.append((start, 2, f'<span class="kb-page" id="page-{n}">page {n}</span>'))
    cuts.sort(key=lambda c: (c[0], c[1]))
    out, pos, open_marks = [], 0, 0
    for offset, order, html in cuts:
        if order == 1 and open_marks:  # overlapping quotes: keep one highlight
            continue
        if order == 0 and not open_marks:
            continue
        out.append(str(esc(text[pos:offset])))
        out.append(html)
        open_marks += 1 if order == 1 else -1 if order == 0 else 0
        pos = offset
    out.append(str(esc(text[pos:])))
    if open_marks:
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
        ("Posted", (doc.get("posted_at") or "unknown")[:10]),
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
    if campaign:
        rows.append(
            [
                "Campaign",
                link(
                    f"../../campaigns/{campaign['id']}/",
                    f"form letter with {campaign['size']} signatories",
                ),
            ]
        )
    parts = [
        f'<p class="kb-lede">Filed by <strong>{esc(label)}</strong></p>',
        table(["", ""], rows),
    ]
    marks: list[tuple[int, int, str]] = []
    if positions:
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
                f"— holder {esc(p['holder'])}, {review_cell(p)} "
                f"({esc(p['method'])}){''.join(quotes)}</li>"
            )
        parts.append('<h2>Positions</h2><ul class="kb-positions">' + "".join(items) + "</ul>")
    else:
        parts.append("<h2>Positions</h2><p>The tagger found no position in this document.</p>")
    if mentions:
        parts.append(
            "<h2>Mentions</h2>"
            + table(
                ["Mentions", "as written"],
                [[f"{m['target_type']}: {m['target_id']}", m["matched"]] for m in mentions],
            )
        )
    listed = attachment_rows(doc.get("listed_attachments") or [], attachments)
    if listed:
        parts.append(
            "<h2>Attachments</h2>"
            + table(["Title", "File", "Format", "Pages", "Extraction"], listed)
        )
    parts.append("<h2>Full text</h2>")
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
    return (
        "\n".join(
            [
                page_head(doc["id"]),
                block("\n".join(map(str, parts)), "kb-filing"),
            ]
        )
        + "\n"
    )


def render_campaign(
    campaign: Row, template: Row, members: Sequence[Row], positions: Sequence[Row]
) -> str:
    """A form-letter campaign: size, dates, the template's positions, every signatory."""
    rows = [
        [
            link(f"../../filings/{m['id']}/", m["id"]),
            filing_label(m),
            (m.get("posted_at") or "")[:10],
        ]
        for m in members
    ]
    stance = (
        "<ul>"
        + "".join(
            f"<li>{esc(issue_name(p['issue']))}: {stance_badge(p['stance'])}</li>"
            for p in positions
        )
        + "</ul>"
        if positions
        else "<p>The template takes no position the tagger found.</p>"
    )
    parts = [
        f"<p>{campaign['size']} comments share one template "
        f"({link('../../filings/' + template['id'] + '/', template['id'])}). Counted as one campaign, "
        "not as independent voices (codebook rule 5).</p>",
        f"<p>First posted {esc((campaign.get('first_posted') or 'unknown')[:10])}, "
        f"last {esc((campaign.get('last_posted') or 'unknown')[:10])}.</p>",
        "<h2>Positions of the template</h2>" + stance,
        "<h2>Signatories</h2>" + table(["Comment", "Filed by", "Posted"], rows),
    ]
    title = f"Campaign of {campaign['size']} ({template['id']})"
    return page_head(title) + block("\n".join(parts)) + "\n"


def render_docket(
    docket: Row,
    daily: list[tuple[str, int]],
    rounds: list[tuple[str, int]],
    campaigns: Sequence[Row],
    top_orgs: Sequence[tuple[str, str, int]],
    kinds: list[tuple[str, int]],
) -> str:
    """A docket: volume over time, comment rounds, campaigns, top organisations."""
    title = f"Docket {docket['id']}"
    parts = [
        f"<p>{esc(docket.get('title') or '')}</p>",
        f"<p>{link('../' + docket['id'] + '-matrix/', 'Who supports what in this docket')}: "
        "every organisation that filed, on each of the eight issues.</p>",
        "<h2>Documents</h2>" + table(["Kind", "Documents"], kinds),
        "<h2>Comments posted per day</h2>" + str(volume_chart(daily)),
        "<p>Only comments with a posting date are counted (the recorded comment text carries none).</p>",
        "<h2>Comment rounds</h2>" + table(["Round", "Comments"], rounds),
        "<h2>Campaigns</h2>"
        + table(
            ["Campaign", "Size", "Template"],
            [
                [link(f"../../campaigns/{c['id']}/", c["id"]), c["size"], c["template_document_id"]]
                for c in campaigns
            ],
        ),
        "<h2>Organisations</h2>"
        + table(
            ["Organisation", "Filings"],
            [[link(f"../../organizations/{oid}/", name), n] for oid, name, n in top_orgs],
        ),
    ]
    return page_head(title) + block("\n".join(parts)) + "\n"


def render_campaign_index(campaigns: list[Row], docs: dict[str, Row]) -> str:
    rows = [
        [
            link(f"{c['id']}/", c["id"]),
            c["size"],
            filing_label(docs.get(c["template_document_id"], {"id": c["template_document_id"]})),
        ]
        for c in campaigns
    ]
    """Every campaign, largest first, with who filed its template."""
    return (
        "---\ntitle: Campaigns\n---\n\n# Form-letter campaigns\n"
        + block(table(["Campaign", "Signatories", "Template filed by"], rows))
        + "\n"
    )
