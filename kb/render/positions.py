"""Pages about who stands where: home, one page per issue, one per organisation."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from kb.render.charts import stance_bar
from kb.render.issues import ISSUE_TEXT, issue_name
from kb.render.markup import (
    block,
    category_label,
    display_quote,
    esc,
    file_size,
    link,
    page_head,
    stance_badge,
    table,
)
from kb.render.review import review_cell
from kb.render.subscribe import subscribe_link
from kb.rounds import round_label

Row = dict[str, Any]
STANCES = ("supports", "mixed", "opposes")


def best_quote(position: Row) -> Markup:
    """The position's first quote as read on a page, with its page, its review state
    (machine with its confidence, verified, corrected; the review's date) and the
    reader's "suggest a correction" link."""
    quotes = position.get("quotes") or []
    if not quotes:
        return Markup("— {0}").format(review_cell(position))
    q = quotes[0]
    where = f" (p. {q['page']})" if q.get("page") else ""
    return Markup("“{0}”{1} — {2}").format(display_quote(q["text"]), where, review_cell(position))


def _stance_sections(organised: Sequence[Row]) -> list[str]:
    """Per stance, the organisations taking it by category, each with its best quote."""
    parts: list[str] = []
    for stance in STANCES:
        rows = [p for p in organised if p["stance"] == stance]
        parts.append(f"<h3>{stance_badge(stance)} ({len(rows)})</h3>")
        if not rows:
            parts.append("<p>None.</p>")
            continue
        by_cat: dict[str, list[Row]] = defaultdict(list)
        for p in rows:
            by_cat[p["category"]].append(p)
        for cat in sorted(by_cat, key=category_label):
            parts.append(f"<h4>{esc(category_label(cat))}</h4>")
            parts.append(
                table(
                    ["Organisation", "Best quote", "Filing"],
                    [
                        [
                            link(f"../../organizations/{p['holder_id']}/", p["holder"])
                            if p.get("holder_id")
                            else p["holder"],
                            best_quote(p),
                            link(f"../../filings/{p['document_id']}/", p["document_id"]),
                        ]
                        for p in sorted(
                            by_cat[cat], key=lambda p: (str(p["holder"]), p["document_id"])
                        )
                    ],
                )
            )
    return parts


def _individuals_section(name: str, individuals: Sequence[Row]) -> list[str]:
    """The individual commenters' stance shares and a sample of their most confident quotes."""
    parts: list[str] = []
    parts.append("<h2>Individual commenters</h2>")
    parts.append(
        str(
            stance_bar(
                dict(Counter(p["stance"] for p in individuals)), label=f"{name}: individuals"
            )
        )
    )
    sample = sorted(individuals, key=lambda p: (-float(p["confidence"]), p["document_id"]))[:30]
    parts.append(
        table(
            ["Stance", "Quote", "Filing"],
            [
                [
                    stance_badge(p["stance"]),
                    best_quote(p),
                    link(f"../../filings/{p['document_id']}/", p["document_id"]),
                ]
                for p in sample
            ],
        )
    )
    return parts


def render_issue(issue: str, positions: Sequence[Row], campaign_split: dict[str, int]) -> str:
    """Stance shares, then who supports / is mixed / opposes, grouped by category, with quotes.

    ``positions``: one row per holder and document, with ``holder``, ``holder_id``,
    ``category``, ``stance``, ``quotes``, ``document_id``, ``campaign_size`` (null
    unless the document is a campaign's template; other members are left out)."""
    name, proposition = ISSUE_TEXT[issue]
    counts = Counter(p["stance"] for p in positions)
    organised = [p for p in positions if p["category"] != "individual"]
    parts = [
        f'<p class="kb-lede">Proposition: {esc(proposition)}</p>',
        str(subscribe_link("../../", "issue", issue)),
        "<h2>All positions</h2>",
        str(stance_bar(dict(counts), label=f"{name}: stance shares")),
        f"<p>{len(positions)} documents take a position (form letters counted once per campaign).</p>",
        "<h2>Organisations</h2>",
        str(
            stance_bar(
                dict(Counter(p["stance"] for p in organised)), label=f"{name}: organisations"
            )
        ),
    ]
    parts += _stance_sections(organised)
    parts.append("<h2>Form-letter campaigns</h2>")
    parts.append(
        str(stance_bar(campaign_split, label=f"{name}: campaigns"))
        + "<p>Each campaign counts once, whatever its number of signatories.</p>"
    )
    individuals = [p for p in positions if p["category"] == "individual"]
    parts += _individuals_section(name, individuals)
    return page_head(name) + block("\n".join(parts)) + "\n"


def render_issue_index(summary: dict[str, Counter[str]]) -> str:
    parts = []
    for issue, (name, proposition) in ISSUE_TEXT.items():
        counts = summary.get(issue, Counter())
        parts.append(
            f"<h2>{link(f'{issue}/', name)}</h2><p>{esc(proposition)}</p>"
            + str(stance_bar(dict(counts), label=name))
        )
    return "---\ntitle: Issues\n---\n\n# Issues\n" + block("\n".join(parts)) + "\n"


def render_organization(
    org: Row, filings: Sequence[Row], positions: Sequence[Row], bills: Sequence[tuple[str, str]]
) -> str:
    """An organisation: its positions with quotes, its filings (initial and reply), bills
    it mentions (one that only a reply names has no feed to subscribe to)."""
    title = org["title"]
    parts = [
        f'<p class="kb-lede">{esc(org["name"])} — {esc(category_label(org.get("category")))}</p>'
    ]
    if filings or positions:
        parts.append(str(subscribe_link("../../", "organization", org["id"])))
    if org.get("aliases"):
        parts.append(f"<p>Also known as: {esc(', '.join(org['aliases']))}</p>")
    parts.append("<h2>Positions</h2>")
    if positions:
        rows = []
        for p in sorted(
            positions, key=lambda p: (list(ISSUE_TEXT).index(p["issue"]), p["document_id"])
        ):
            rows.append(
                [
                    issue_name(p["issue"]),
                    stance_badge(p["stance"]),
                    best_quote(p),
                    link(f"../../filings/{p['document_id']}/", p["document_id"]),
                ]
            )
        parts.append(table(["Issue", "Stance", "In its own words", "Document"], rows))
    else:
        parts.append("<p>No position found yet.</p>")
    parts.append("<h2>Filings</h2>")
    parts.append(
        table(
            ["Document", "Round", "Posted", "Kind"],
            [
                [
                    link(f"../../filings/{f['id']}/", f["id"]),
                    round_label(f["round"]) if f.get("round") else "",
                    (f.get("posted_at") or "")[:10] or "date unknown",
                    f.get("kind"),
                ]
                for f in filings
            ],
        )
        if filings
        else "<p>No filings on record.</p>"
    )
    if bills:
        parts.append("<h2>Bills it mentions</h2>")
        parts.append(
            "<ul>"
            + "".join(f"<li>{link(f'../../bills/{b}/', name)}</li>" for b, name in bills)
            + "</ul>"
        )
    return page_head(title) + block("\n".join(parts)) + "\n"


def render_organization_index(orgs: Sequence[Row]) -> str:
    rows = [
        [
            link(f"{o['id']}/", o["name"]),
            category_label(o.get("category")),
            o["n_filings"],
            o["n_positions"],
        ]
        for o in orgs
    ]
    return (
        "---\ntitle: Organisations\n---\n\n# Organisations\n"
        + block(table(["Organisation", "Category", "Filings", "Positions"], rows))
        + "\n"
    )


def _recent_table(recent: Sequence[Row]) -> str:
    """What changed lately: date, summary and record (linked when it has a page)."""
    return table(
        ["Date", "What", "Record"],
        [
            [
                r["date"],
                r["summary"],
                link(r["href"], r["record_id"]) if r.get("href") else r["record_id"],
            ]
            for r in recent
        ],
    )


def render_home(
    counts: dict[str, int],
    recent: Sequence[Row],
    issue_summary: dict[str, Counter[str]],
    families: Sequence[Row],
    digests: Sequence[tuple[str, str]],
    freshness: Markup | None = None,
) -> str:
    """Headline counts, what changed lately, and links into everything; ``freshness``:
    the "data as of" line (:mod:`kb.render.freshness`)."""
    cards = "".join(
        f'<div class="kb-card"><div class="kb-number">{n:,}</div><div>{esc(label)}</div></div>'
        for label, n in counts.items()
    )
    parts = [
        '<p class="kb-lede">Who argues what about AI and copyright — in public comments, bills, '
        "notices and the press — with every position backed by a verified quote.</p>",
        f'<div class="kb-cards">{cards}</div>',
        str(freshness or ""),
        "<h2>Where everyone stands</h2>",
    ]
    for issue, (name, _) in ISSUE_TEXT.items():
        parts.append(
            f"<h3>{link(f'issues/{issue}/', name)}</h3>"
            + str(stance_bar(dict(issue_summary.get(issue, Counter())), label=name))
        )
    parts.append("<h2>Bills</h2>")
    parts.append(
        table(
            ["Family", "Bills", "Latest"],
            [[link(f"bills/family-{f['id']}/", f["name"]), f["n"], f["latest"]] for f in families],
        )
    )
    if digests:
        parts.append(
            "<h2>Latest weekly digests</h2><ul>"
            + "".join(f"<li>{link(h, t)}</li>" for h, t in digests)
            + "</ul>"
        )
    parts.append("<h2>What changed lately</h2>")
    parts.append(_recent_table(recent))
    parts.append(
        f"<p>{link('search/', 'Search every filing')} · {link('downloads/', 'Download the data')}</p>"
    )
    return (
        "---\ntitle: Home\nhide:\n  - navigation\n---\n\n# AI & Copyright Policy Tracker\n"
        + block("\n".join(parts))
        + "\n"
    )


def render_downloads(files: Sequence[tuple[str, str, int]]) -> str:
    rows = [[link(f"../data/{name}", name), what, file_size(size)] for name, what, size in files]
    return (
        "---\ntitle: Downloads\n---\n\n# Downloads\n"
        + block(
            "<p>Everything on this site as data, as JSON lines and CSV (every field is "
            'described under <a href="../about/exports/">Export formats</a>), and the '
            "SQLite database itself (open it with <code>datasette</code> for full-text "
            "search).</p>" + table(["File", "What", "Size"], rows)
        )
        + "\n"
    )
