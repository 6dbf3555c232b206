"""A docket's page (volume, rounds, campaigns, every organisation that filed, once) and
the paged list of all its filings. Pure: rows in, Markdown out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from kb.render.campaigns import resubmitted
from kb.render.charts import volume_chart
from kb.render.issues import issue_name
from kb.render.markup import block, category_label, esc, link, page_head, stance_badge, table
from kb.rounds import ROUND_ORDER_NAMES, UNKNOWN, round_label

Row = dict[str, Any]
ROUND_ORDER = {name: n for n, name in enumerate(ROUND_ORDER_NAMES)}
_NUMBER = re.compile(r"(\d+)$")


def filing_order(doc: Row) -> tuple[int, str, str, int, str]:
    """The docket's own documents (the notices) first, then comments by round, then
    posting date (undated last), then the number at the end of the id."""
    found = _NUMBER.search(doc["id"])
    posted = (doc.get("posted_at") or "")[:10]
    rank = -1 if doc.get("kind") != "comment" else ROUND_ORDER.get(doc.get("round") or UNKNOWN, 9)
    return (
        rank,
        "0" if posted else "1",
        posted,
        int(found.group(1)) if found else 0,
        doc["id"],
    )


def filings_page_slug(docket_id: str, page: int) -> str:
    return f"{docket_id}-filings-{page}"


def page_count(n: int, size: int) -> int:
    return max(1, -(-n // size))


def page_links(docket_id: str, pages: int, current: int | None, prefix: str) -> Markup:
    """Links to every page of the list, the current one in bold."""
    items = [
        Markup("<strong>{}</strong>").format(n)
        if n == current
        else link(f"{prefix}{filings_page_slug(docket_id, n)}/", str(n))
        for n in range(1, pages + 1)
    ]
    return Markup('<p class="kb-pages">Pages: {}</p>').format(Markup(" · ").join(items))


def positions_cell(positions: Sequence[Row]) -> Markup:
    return Markup("; ").join(
        Markup("{}: {}").format(issue_name(p["issue"]), stance_badge(p["stance"]))
        for p in positions
    )


def render_filings_page(
    docket: Row,
    rows: Sequence[Row],
    positions: dict[str, list[Row]],
    where: tuple[int, int],
    total: int,
    labels: dict[str, str],
) -> str:
    """``where``: (page number, page size); ``rows`` are that page's filings in :func:`filing_order`,
    of ``total``; ``labels``: who filed each, by document id."""
    page, size = where
    pages = page_count(total, size)
    first = (page - 1) * size + 1
    title = f"Docket {docket['id']}: filings {first}–{first + len(rows) - 1} of {total}"
    body = [
        Markup(
            "<p>{} {} (page {} of {}). Every filing of the docket, by round "
            "(from the docket's deadlines), then by posting date.</p>"
        ).format(
            link(f"../{docket['id']}/", f"Docket {docket['id']}"),
            "filing list",
            page,
            pages,
        ),
        page_links(docket["id"], pages, page, "../"),
        table(
            ["Round", "Posted", "Filing", "Filed by", "Category", "Positions"],
            [
                [
                    round_label(d.get("round") or UNKNOWN) if d["kind"] == "comment" else d["kind"],
                    (d.get("posted_at") or "")[:10] or "date unknown",
                    link(f"../../filings/{d['id']}/", d["id"]),
                    labels.get(d["id"], d["id"]),
                    category_label(d.get("category")) if d["kind"] == "comment" else "—",
                    positions_cell(positions.get(d["id"], [])),
                ]
                for d in rows
            ],
        ),
        page_links(docket["id"], pages, page, "../"),
    ]
    return page_head(title) + block("\n".join(map(str, body))) + "\n"


def render_docket(
    docket: Row,
    daily: list[tuple[str, int]],
    rounds: list[tuple[str, int]],
    campaigns: Sequence[Row],
    filers: Sequence[tuple[str, str, int]],
    kinds: list[tuple[str, int]],
    n_filings: int,
    page_size: int,
) -> str:
    """A docket: volume over time, comment rounds, campaigns (by name), every organisation
    that filed (each once, joint filings counted for each), and the pages of its filings."""
    title = f"Docket {docket['id']}"
    pages = page_count(n_filings, page_size)
    parts = [
        f"<p>{esc(docket.get('title') or '')}</p>",
        f"<p>{link('../' + docket['id'] + '-matrix/', 'Who supports what in this docket')}: "
        "every organisation that filed, on each of the eight issues.</p>",
        "<h2>Documents</h2>" + table(["Kind", "Documents"], kinds),
        "<h2>Every filing</h2>",
        str(
            Markup(
                "<p>All {} filings are listed, {} to a page, by round and posting date, "
                "with who filed, their category and positions: {}.</p>"
            ).format(
                f"{n_filings:,}",
                page_size,
                link(f"../{filings_page_slug(docket['id'], 1)}/", "the filing list"),
            )
        ),
        str(page_links(docket["id"], pages, None, "../")),
        "<h2>Comments posted per day</h2>" + str(volume_chart(daily)),
        "<p>Only comments with a posting date are counted (the recorded comment text carries none).</p>",
        "<h2>Comment rounds</h2>" + table(["Round", "Comments"], rounds),
        "<p>The round comes from the docket's deadlines (the watchlist): the day a comment was "
        "received (US Eastern time), or a posting date before the first deadline; without a "
        "date, a comment that says it is a reply comment is a reply; otherwise the round is "
        "unknown.</p>",
        "<h2>Campaigns</h2>"
        + table(
            ["Campaign", "Letters", "Signatories", "Template"],
            [
                [
                    link(f"../../campaigns/{c['id']}/", c.get("name") or c["id"]),
                    c["size"],
                    c.get("signers", c["size"]),
                    link(f"../../filings/{c['template_document_id']}/", c["template_document_id"]),
                ]
                for c in campaigns
                if not resubmitted(c)
            ],
        )
        + _resubmissions(campaigns),
        "<h2>Organisations</h2>"
        + f"<p>{len(filers)} organisations filed, each listed once (a joint filing counts "
        "for each of its filers).</p>"
        + table(
            ["Organisation", "Filings"],
            [[link(f"../../organizations/{oid}/", name), n] for oid, name, n in filers],
        ),
    ]
    return page_head(title) + block("\n".join(parts)) + "\n"


def _resubmissions(campaigns: Sequence[Row]) -> str:
    """One line on the comments one person filed several times (clustered alike)."""
    again = [c for c in campaigns if resubmitted(c)]
    if not again:
        return ""
    return (
        f"<p>Besides these, {len(again)} people filed their own comment more than once "
        f"({sum(c['size'] for c in again)} filings); each counts once "
        f"({link('../../campaigns/', 'all of them')}).</p>"
    )
