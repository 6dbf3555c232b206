"""Bill and bill-family pages: status timeline, sponsors, actions, texts, redlines, filings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from kb.redlines import Pair, SectionRedline
from kb.render.markup import block, esc, link, page_head, plain_title, stance_badge, table
from kb.render.redlines import redlines_section
from kb.render.subscribe import subscribe_link

Row = dict[str, Any]
STATUS_STEPS = (
    "introduced",
    "referred",
    "reported",
    "passed_house",
    "passed_senate",
    "passed_both",
    "enacted",
)


def bill_number(bill: Row) -> str:
    kinds = {
        "s": "S.",
        "hr": "H.R.",
        "sres": "S.Res.",
        "hres": "H.Res.",
        "sjres": "S.J.Res.",
        "hjres": "H.J.Res.",
        "sconres": "S.Con.Res.",
        "hconres": "H.Con.Res.",
    }
    return (
        f"{kinds.get(bill['type'], bill['type'].upper())} {bill['number']} ({bill['congress']}th)"
    )


def status_timeline(bill: Row) -> Markup:
    reached = bill.get("status") or "introduced"
    final = reached in ("vetoed", "failed")
    index = STATUS_STEPS.index(reached) if reached in STATUS_STEPS else 0
    steps = []
    for i, step in enumerate(STATUS_STEPS):
        state = "done" if i <= index and not final else "todo"
        steps.append(f'<li class="kb-step kb-step-{state}">{esc(step.replace("_", " "))}</li>')
    if final:
        steps.append(f'<li class="kb-step kb-step-done">{esc(reached)}</li>')
    return Markup('<ol class="kb-timeline">' + "".join(steps) + "</ol>")


def person(p: Row | None) -> str:
    if not p:
        return "—"
    return str(p.get("name") or "—")


Redlines = tuple[Sequence[Pair], dict[str, SectionRedline]]


def _facts_table(bill: Row) -> str:
    """The bill's status, dates, sponsor, family, companions and source as a table."""
    latest = bill.get("latest_action") or {}
    companions = bill.get("companions") or []
    return table(
        ["", ""],
        [
            ["Status", f"{bill.get('status')} ({bill.get('status_date') or '—'})"],
            ["Introduced", bill.get("introduced") or "—"],
            ["Latest action", f"{latest.get('date') or ''} {latest.get('text') or ''}"],
            ["Sponsor", person(bill.get("sponsor"))],
            [
                "Family",
                link(f"../family-{bill['family']}/", bill["family"]) if bill.get("family") else "—",
            ],
            [
                "Companion",
                Markup(", ".join(str(link(f"../{c}/", bill_id_label(c))) for c in companions))
                if companions
                else "—",
            ],
            [
                "Original",
                link(bill["url"], bill["url"], external=True) if bill.get("url") else "—",
            ],
        ],
    )


def _cosponsors_table(bill: Row) -> str:
    """The bill's cosponsors with party, state and the dates they joined and withdrew."""
    return table(
        ["Cosponsor", "Party", "State", "Joined", "Withdrawn"],
        [
            [
                c.get("name"),
                c.get("party"),
                c.get("state"),
                c.get("date"),
                c.get("withdrawn") or "",
            ]
            for c in bill.get("cosponsors") or []
        ],
    )


def _committees_table(bill: Row) -> str:
    """The committees the bill went to, with their dated activities."""
    return table(
        ["Committee", "Chamber", "Activity"],
        [
            [
                c.get("name"),
                c.get("chamber"),
                ", ".join(
                    f"{x.get('name')} {str(x.get('date'))[:10]}" for x in c.get("activities") or []
                ),
            ]
            for c in bill.get("committees") or []
        ],
    )


def _text_versions_table(bill: Row) -> str:
    """The bill's text versions with their dates and sources."""
    return table(
        ["Version", "Date", "Source"],
        [
            [
                v.get("code"),
                v.get("date"),
                link(v["url"], v["url"], external=True) if v.get("url") else "",
            ]
            for v in bill.get("text_versions") or []
        ],
    )


def render_bill(
    bill: Row,
    redlines: Redlines,
    filings: Sequence[Row],
    voice_positions: Sequence[Row],
    family: Sequence[Row] = (),
) -> str:
    """One bill; ``redlines``: the version pairs it is part of and the redlines of those
    with both texts stored (by slug); ``family``: every bill of its family (itself included)."""
    title = plain_title(f"{bill_number(bill)}: {bill.get('short_title') or bill.get('title')}")
    parts = [
        f'<p class="kb-lede">{esc(bill.get("title"))}</p>',
        str(subscribe_link("../../", "family", bill["family"])) if bill.get("family") else "",
        str(status_timeline(bill)),
        _facts_table(bill),
        "<h2>Cosponsors</h2>",
        _cosponsors_table(bill),
        "<h2>Actions</h2>",
        table(
            ["Date", "Chamber", "Action"],
            [[a.get("date"), a.get("chamber"), a.get("text")] for a in bill.get("actions") or []],
        ),
        "<h2>Committees</h2>",
        _committees_table(bill),
        "<h2>Text versions</h2>",
        _text_versions_table(bill),
    ]
    parts += redlines_section(*redlines)
    parts += versions_section(bill, family)
    parts.append("<h2>Related bills</h2>")
    parts.append(
        "<ul>"
        + "".join(f"<li>{link(f'../{r}/', r)}</li>" for r in bill.get("related_bills") or [])
        + "</ul>"
    )
    parts += filings_section(filings, voice_positions, prefix="../../")
    return page_head(title) + block("\n".join(parts)) + "\n"


def bill_id_label(bill_id: str) -> str:
    """ "119-s-1367" → "S. 1367 (119th)"."""
    congress, kind, number = bill_id.split("-")
    return bill_number({"type": kind, "number": number, "congress": congress})


def versions_section(bill: Row, family: Sequence[Row]) -> list[str]:
    """The family's other introductions, each marked earlier, companion or later."""
    others = sorted(
        (b for b in family if b["id"] != bill["id"]),
        key=lambda b: (b.get("introduced") or "", b["id"]),
    )
    if not others:
        return []
    mine = bill.get("introduced") or ""
    companions = set(bill.get("companions") or [])

    def relation(b: Row) -> str:
        if b["id"] in companions:
            return "companion (other chamber, same Congress)"
        when = b.get("introduced") or ""
        return (
            "earlier version"
            if (b.get("congress") or 0, when) < (bill.get("congress") or 0, mine)
            else "later version"
        )

    rows = [
        [
            link(f"../{b['id']}/", bill_id_label(b["id"])),
            relation(b),
            b.get("introduced"),
            b.get("short_title") or b.get("title"),
            b.get("status"),
        ]
        for b in others
    ]
    return [
        "<h2>Other versions of this bill</h2>",
        table(["Bill", "Relation", "Introduced", "Title", "Status"], rows),
    ]


def filings_section(
    filings: Sequence[Row], voice_positions: Sequence[Row], prefix: str
) -> list[str]:
    by_doc: dict[str, list[Row]] = {}
    for p in voice_positions:
        by_doc.setdefault(p["document_id"], []).append(p)
    rows = []
    for f in filings:
        stances = by_doc.get(f["id"], [])
        rows.append(
            [
                link(f"{prefix}filings/{f['id']}/", f["id"]),
                f.get("label") or "",
                f.get("mentions"),
                Markup(
                    " ".join(f"{esc(p['holder'])}: {stance_badge(p['stance'])}" for p in stances)
                )
                if stances
                else "",
            ]
        )
    return [
        "<h2>Filings that mention it</h2>",
        table(["Document", "Filed by", "Mentions", "Voice and likeness right"], rows)
        if rows
        else "<p>None on record.</p>",
    ]


def render_family(
    family: Row,
    bills: Sequence[Row],
    filings: Sequence[Row],
    voice_positions: Sequence[Row],
    not_synced: Sequence[str] = (),
    redlines: Redlines = ((), {}),
) -> str:
    """A lineage of bills (reintroductions and companions) as one history; ``not_synced``:
    bills of the family the watchlist names that hold no record yet; ``redlines``: every
    version pair (those of the family's bills are listed)."""
    title = plain_title(family.get("name") or family["id"])
    rows = [
        [
            link(f"../{b['id']}/", bill_number(b)),
            b.get("introduced"),
            person(b.get("sponsor")),
            len(b.get("cosponsors") or []),
            b.get("status"),
            (b.get("latest_action") or {}).get("text"),
        ]
        for b in sorted(bills, key=lambda b: (b.get("introduced") or "", b["id"]))
    ]
    rows += [[bill_id_label(b), "—", "—", "—", "watched, not yet synced", "—"] for b in not_synced]
    members = {b["id"] for b in bills}
    pairs, diffs = redlines
    parts = [
        '<p class="kb-lede">Every introduction of this bill, across Congresses and chambers.</p>',
        str(subscribe_link("../../", "family", family["id"])),
        table(["Bill", "Introduced", "Sponsor", "Cosponsors", "Status", "Latest action"], rows),
        *redlines_section([p for p in pairs if {p.before.bill, p.after.bill} & members], diffs),
        *filings_section(filings, voice_positions, prefix="../../"),
    ]
    return page_head(title) + block("\n".join(parts)) + "\n"


def render_bill_index(
    families: Sequence[Row], bills: Sequence[Row], redlines: Redlines = ((), {})
) -> str:
    """Families (with how many bills each), every bill, and every redline."""
    rows = [
        [
            link(f"{b['id']}/", bill_number(b)),
            b.get("short_title") or b.get("title"),
            b.get("status"),
            link(f"family-{b['family']}/", b["family"]) if b.get("family") else "",
        ]
        for b in bills
    ]
    fam = Markup("<ul>{}</ul>").format(
        Markup("").join(
            Markup("<li>{} ({})</li>").format(
                link(f"family-{f['id']}/", f["name"]), plural(f["n"], "bill")
            )
            for f in families
        )
    )
    return (
        "---\ntitle: Bills\n---\n\n# Bills\n"
        + block(
            "<h2>Families</h2>"
            + str(fam)
            + "<h2>All bills</h2>"
            + table(["Bill", "Title", "Status", "Family"], rows)
            + "\n".join(redlines_section(*redlines, prefix=""))
        )
        + "\n"
    )


def plural(n: int, word: str) -> str:
    """``1 bill``, ``2 bills``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
