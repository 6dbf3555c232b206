"""The build's docket step: each docket's page, the paged list of all its filings, its
who-supports-what matrix, and the form-letter campaigns' pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from kb.render.campaigns import (
    campaign_name,
    render_campaign,
    render_campaign_index,
    resubmitted,
    signers,
)
from kb.render.dockets import filing_order, filings_page_slug, render_docket
from kb.render.dockets import render_filings_page as render_page
from kb.render.filings import filing_label
from kb.render.markup import plain_title
from kb.render.matrix import render_matrix
from kb.rounds import ROUND_ORDER_NAMES, round_label
from kb.store import site_query as q
from kb.store.positions import stance_matrix
from nlp.campaigns import campaign_sponsor, opening_line, variation

Row = dict[str, Any]
#: Rows on one page of a docket's filing list.
PAGE_SIZE = 500
Write = Callable[[str, str], None]


def write_docket_pages(
    db: Database,
    write: Write,
    docs: dict[str, Row],
    positions: dict[str, list[Row]],
    campaigns: list[Row],
    org_names: dict[str, str],
) -> None:
    """``dockets/<id>.md`` and ``dockets/<id>-filings-<n>.md`` for every docket with comments."""
    for docket in q.dockets(db):
        comments = [
            d for d in docs.values() if d["docket_id"] == docket["id"] and d["kind"] == "comment"
        ]
        if not comments:
            continue
        counts = Counter(d["round"] for d in comments)
        rounds = [(round_label(r), counts[r]) for r in ROUND_ORDER_NAMES if counts[r]]
        filers = docket_filers(comments, org_names)
        ids = {d["id"] for d in comments}
        listed = sorted(
            (d for d in docs.values() if d["docket_id"] == docket["id"]), key=filing_order
        )
        write(
            f"dockets/{docket['id']}.md",
            render_docket(
                docket,
                q.daily_volume(db, docket["id"]),
                rounds,
                [c for c in campaigns if c["template_document_id"] in ids],
                filers,
                q.kinds(db, docket["id"]),
                len(listed),
                PAGE_SIZE,
            ),
        )
        labels = {d["id"]: filing_label(d) for d in listed}
        for start in range(0, len(listed), PAGE_SIZE):
            page = start // PAGE_SIZE + 1
            write(
                f"dockets/{filings_page_slug(docket['id'], page)}.md",
                render_page(
                    docket,
                    listed[start : start + PAGE_SIZE],
                    positions,
                    (page, PAGE_SIZE),
                    len(listed),
                    labels,
                ),
            )


def docket_filers(comments: list[Row], org_names: dict[str, str]) -> list[tuple[str, str, int]]:
    """Every organisation that filed, once: (id, its own name, filings), most filings
    first. A joint filing ("A2IM; RA; RIAA") counts once for each of its filers, each
    under its own name, never under the joint one."""
    filed: Counter[str] = Counter()
    for d in comments:
        filed.update(set(d["org_ids"]))
    return sorted(
        ((oid, org_names.get(oid, oid), n) for oid, n in filed.items()),
        key=lambda f: (-f[2], f[1].lower()),
    )


def write_campaign_pages(
    db: Database,
    write: Write,
    docs: dict[str, Row],
    positions: dict[str, list[Row]],
    campaigns: list[Row],
) -> None:
    """A page per campaign (named after its sponsor or opening line; sets ``name`` on each
    campaign row for the other pages) and the index."""
    pages = []
    for c in campaigns:
        template = docs.get(c["template_document_id"])
        if not template:
            continue
        members = [docs[m] for m in c["document_ids"] if m in docs]
        texts = q.texts_of(db, [m["id"] for m in members] + [template["id"]])
        body = texts.get(template["id"], "")
        sponsor = campaign_sponsor(body, [texts.get(m["id"], "") for m in members])
        c["signers"] = signers([template, *members])
        c["name"] = (
            f"The same comment filed {c['size']} times by {template.get('submitter') or 'one person'}"
            if resubmitted(c)
            else campaign_name(sponsor, opening_line(body), template["id"])
        )
        variations = [variation(m["id"], body, texts.get(m["id"], "")) for m in members]
        pages.append((c, template, body, members, variations))
    names = Counter(c.get("name") for c in campaigns)
    for c in campaigns:  # letters that open alike are told apart by their template
        if names[c.get("name")] > 1:
            c["name"] = f"{c['name']} ({c['template_document_id']})"
    for c, template, body, members, variations in pages:
        write(
            f"campaigns/{c['id']}.md",
            render_campaign(
                c, template, body, members, variations, positions.get(template["id"], [])
            ),
        )
    write("campaigns/index.md", render_campaign_index(campaigns))


def write_matrices(db: Database, write: Write) -> None:
    """Who supports what, over every docket and per docket."""
    write(
        "matrix.md",
        render_matrix(
            stance_matrix(db),
            title="Who supports what",
            prefix="../",
            lede="Every organisation that took a position in its own filings, on each of "
            "the eight issues.",
            csv_href="../data/matrix.csv",
        ),
    )
    for docket in q.dockets(db):
        rows = stance_matrix(db, docket["id"])
        write(
            f"dockets/{docket['id']}-matrix.md",
            render_matrix(
                rows,
                title=f"Who supports what in {docket['id']}",
                prefix="../../",
                lede=f"The organisations that filed in docket {docket['id']} "
                f"({plain_title(docket.get('title')) or 'untitled'}), on each issue.",
                csv_href=f"../../data/matrix-{docket['id']}.csv",
            ),
        )
