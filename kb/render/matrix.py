"""The who-supports-what page: organisations × the eight issues, each cell a stance
linked to the quote that backs it (rows from :func:`kb.store.positions.stance_matrix`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from kb.render.issues import issue_name
from kb.render.markup import block, category_label, display_quote, esc, page_head, plain_title
from nlp.stance import ISSUES

Row = dict[str, Any]


def _cell(row: Row, issue: str, prefix: str) -> str:
    stance = row.get(issue)
    if not stance:
        return '<td data-sort=""></td>'
    doc, pos = row[f"{issue}_document"], row[f"{issue}_position"]
    quote = display_quote(row.get(f"{issue}_quote") or "", 300)
    n = row[f"{issue}_filings"]
    note = f" ({n} filings{', they differ' if row[f'{issue}_disagree'] else ''})" if n > 1 else ""
    state = row.get(f"{issue}_review") or "machine"
    mark = (
        Markup(
            ' <span class="kb-review kb-review-{0}" title="{0} by a person on {1}">{2}</span>'
        ).format(state, row.get(f"{issue}_reviewed_at") or "", "✓" if state == "verified" else "✎")
        if state in ("verified", "corrected")
        else ""
    )
    return Markup(
        '<td data-sort="{0}"><a class="stance stance-{0}" href="{1}filings/{2}/#q{3}-0" '
        'title="{4}">{0}</a>{6}{5}</td>'
    ).format(stance, prefix, doc, pos, quote, note, mark)


def render_matrix(
    rows: Sequence[Row], *, title: str, prefix: str, lede: str, csv_href: str | None = None
) -> str:
    """The matrix page; ``prefix`` leads from the page to the site's root."""
    categories = sorted({category_label(r["category"]) for r in rows})
    head = "".join(
        f'<th data-col="{i + 3}" title="{esc(issue_name(issue))}">{esc(issue_name(issue))}</th>'
        for i, issue in enumerate(ISSUES)
    )
    body = []
    for r in rows:
        name = plain_title(r["organization"]) or r["organization_id"]
        cells = "".join(_cell(r, issue, prefix) for issue in ISSUES)
        body.append(
            Markup(
                '<tr data-category="{0}"><td data-sort="{1}"><a href="{2}organizations/{3}/">'
                "{1}</a></td><td>{0}</td><td>{4}</td>"
            ).format(
                category_label(r["category"]), name, prefix, r["organization_id"], r["filings"]
            )
            + Markup(cells)
            + Markup("</tr>")
        )
    options = "".join(f'<option value="{esc(c)}">{esc(c)}</option>' for c in categories)
    download = f' <a href="{esc(csv_href)}">Download this matrix as CSV</a>.' if csv_href else ""
    parts = [
        f'<p class="kb-lede">{esc(lede)}{download}</p>',
        '<p class="kb-matrix-help">Each cell is the stance of the organisation\'s most '
        "confident position on the issue in its own filings; it links to the quote that "
        "backs it (hover to read it). ✓: verified by a person; ✎: corrected by a person; "
        "unmarked: machine-made. Click a column heading to sort by it.</p>",
        '<label class="kb-matrix-filter">Category <select id="kb-matrix-category">'
        f'<option value="">every category</option>{options}</select></label> '
        f'<span id="kb-matrix-count">{len(rows)} organisations</span>',
        '<table class="kb kb-matrix" id="kb-matrix">',
        f'<thead><tr><th data-col="0">Organisation</th><th data-col="1">Category</th>'
        f'<th data-col="2">Filings</th>{head}</tr></thead>',
        "<tbody>\n" + "\n".join(body) + "\n</tbody></table>",
        f'<script src="{prefix}javascripts/matrix.js"></script>',
    ]
    return page_head(title) + block("\n".join(parts)) + "\n"
