"""A week's digest as Markdown (the site post and ``--print``), plain text and HTML (e-mail).

Pure: the same data gives the same bytes. Upstream text is escaped for Markdown
and HTML alike; links point at the site's pages and at the source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from markdown import markdown

from kb.digest.collect import Row, WeekData
from kb.render.bills import bill_number
from kb.render.freshness import freshness_text
from kb.render.issues import issue_name
from kb.render.markup import safe_url

#: Characters that could start Markdown syntax inside a line (links, emphasis, code).
_MD = re.compile(r"([\\`*_\[\]])")


def md(text: object) -> str:
    """Upstream text made inert for Markdown (and, through Markdown, for HTML): entities for
    ``& < >`` (no raw HTML), backslashes for the characters that make links or emphasis."""
    plain = " ".join(str(text or "").split())
    plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD.sub(r"\\\1", plain)


#: The site's folder for each kind of page a digest links to.
FOLDERS = {
    "filing": "filings",
    "bill": "bills",
    "campaign": "campaigns",
    "organization": "organizations",
    "redline": "bills",
}


@dataclass(frozen=True)
class Links:
    """Where items link to: ``page(kind, id)`` on our site, and the source URL as given."""

    page: Callable[[str, str], str]


def site_links(prefix: str) -> Links:
    """Links to the site's Markdown sources, relative to a post (MkDocs checks them)."""
    return Links(lambda kind, ident: f"{prefix}{FOLDERS[kind]}/{ident}.md")


def absolute_links(site_url: str) -> Links:
    base = site_url.rstrip("/")
    return Links(lambda kind, ident: f"{base}/{FOLDERS[kind]}/{ident}/")


def source(url: object) -> str:
    checked = safe_url(url)
    return f" ([source]({checked}))" if checked else ""


def bill_label(bill: Row) -> str:
    ident = bill["id"].split("-")
    number = bill_number({"congress": ident[0], "type": ident[1], "number": ident[2]})
    return f"{number} {bill.get('short_title') or bill.get('title') or ''}".strip()


def headline(data: WeekData) -> list[str]:
    """The week in numbers (only what happened)."""
    filings = f"{data.filings:,} new filings"
    if data.campaigns:
        filings += (
            f" ({data.campaign_letters} of them form letters of {len(data.campaigns)} "
            "campaigns, each counted once)"
        )
    counts = [
        (data.filings, filings),
        (len(data.introductions), f"{len(data.introductions)} bills introduced"),
        (
            sum(map(len, data.actions.values())),
            f"{sum(map(len, data.actions.values()))} bill actions",
        ),
        (
            sum(map(len, data.cosponsors_added.values())),
            f"{sum(map(len, data.cosponsors_added.values()))} cosponsors added",
        ),
        (
            sum(map(len, data.cosponsors_withdrawn.values())),
            f"{sum(map(len, data.cosponsors_withdrawn.values()))} cosponsors withdrawn",
        ),
        (len(data.text_versions), f"{len(data.text_versions)} new bill texts"),
        (len(data.notices), f"{len(data.notices)} Federal Register documents"),
        (len(data.pages_changed), f"{len(data.pages_changed)} Copyright Office pages changed"),
        (len(data.reviews), f"{len(data.reviews)} positions reviewed"),
        (data.backfill, f"{data.backfill:,} documents recorded without a date"),
    ]
    shown = [text for n, text in counts if n]
    return [" · ".join(shown)] if shown else []


def post_date(data: WeekData) -> date:
    """The date a post carries: the week's Sunday once it has ended, else the day written."""
    return data.as_of.date() if data.as_of else data.week.sunday


def post_title(data: WeekData) -> str:
    so_far = " so far" if data.as_of else ""
    return f"Week {data.week}{so_far}: what moved in AI and copyright policy"


def render_markdown(data: WeekData, links: Links, *, front_matter: bool = True) -> str:
    w = data.week
    title = post_title(data)
    out: list[str] = []
    if front_matter:
        out += [
            "---",
            f"date: {post_date(data).isoformat()}",
            f'title: "{title}"',
            f"slug: {str(w).lower()}",
            "---",
            "",
        ]
    until = (
        f"so far (as of {data.as_of:%d %B %Y, %H:%M} UTC; the week is not over)"
        if data.as_of
        else f"{w.sunday:%d %B %Y}"
    )
    out += [f"# {title}", "", f"*{w.monday:%d %B %Y} – {until}*", ""]
    if data.freshness:
        out += [md(freshness_text(data.freshness, data.loaded)), ""]
    if data.empty:
        out += ["Nothing moved this week: no filings, bill actions or notices are on record.", ""]
        return "\n".join(out)
    out += [*headline(data), ""]
    out += filings_section(data, links)
    out += stance_shift_section(data, links)
    out += bills_section(data, links)
    out += reviews_section(data, links)
    if data.notices:
        out += ["## Federal Register", ""]
        out += [
            f"- {md(n['kind'])} [{md(n['title'] or n['id'])}]({links.page('filing', n['id'])}){source(n['url'])}"
            for n in data.notices
        ]
        out.append("")
    if data.pages_changed:
        out += ["## Copyright Office pages and reports that changed", ""]
        out += [
            f"- [{md(e['summary'])}]({links.page('filing', e['record_id'])})"
            for e in data.pages_changed
        ]
        out.append("")
    out += undated_section(data, links)
    return "\n".join(out)


def undated_section(data: WeekData, links: Links) -> list[str]:
    """What was recorded this week without an upstream date, listed rather than left out."""
    undated = data.undated
    if not undated:
        return []
    out = [
        "## Date unknown",
        "",
        f"{undated.backfill:,} documents were recorded this week without an upstream date "
        "(imported from a source that gives none, such as a bulk download of earlier "
        "filings): they are listed here, in the week that imported them.",
        "",
    ]
    out += filings_section(
        undated,
        links,
        heading="### Filings without a date",
        positions=False,
        posted="of them recorded this week",
    )
    if undated.other_documents:
        out += ["### Other documents without a date", ""]
        out += [
            f"- {md(d['kind'])} [{md(d['title'] or d['id'])}]({links.page('filing', d['id'])}){source(d['url'])}"
            for d in undated.other_documents
        ]
        out.append("")
    return out


def positions_line(positions: list[Row]) -> str:
    return (
        ", ".join(f"{issue_name(p['issue'])}: {p['stance']}" for p in positions)
        or "no position found"
    )


def filings_section(
    data: WeekData,
    links: Links,
    *,
    heading: str = "## New filings",
    positions: bool = True,
    posted: str = "posted this week",
) -> list[str]:
    if not data.filings:
        return []
    sub = "#" * (heading.index(" ") + 1)
    out = [heading, ""]
    if data.positions and positions:
        out += ["Positions taken this week (form letters counted once per campaign):", ""]
        out += [
            f"- {issue_name(i)}: {s} {n}"
            for (i, s), n in sorted(data.positions.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        out.append("")
    if data.org_filings:
        out += [f"{sub} Organisations", ""]
        for d in data.org_filings:
            out.append(
                f"- **{md(d['org_name'])}**: [{d['id']}]({links.page('filing', d['id'])}){source(d['url'])} — {positions_line(d['positions'])}"
            )
        out.append("")
    if data.campaigns:
        out += [f"{sub} Form-letter campaigns", ""]
        for c in data.campaigns:
            out.append(
                f"- [Campaign of {c['size']} letters]({links.page('campaign', c['id'])}), "
                f"{c['posted_this_week']} {posted} (template [{c['template_document_id']}]({links.page('filing', c['template_document_id'])})) — {positions_line(c['positions'])}"
            )
        out.append("")
    if data.individual_filings:
        out += [
            f"{sub} Individuals",
            "",
            f"{data.individual_filings:,} comments from individuals (outside campaigns). For example:",
            "",
        ]
        for d in data.individual_sample:
            quotes = d["positions"][0]["quotes"]
            text = f" “{md(quotes[0]['text'][:200])}”" if quotes else ""
            out.append(
                f"- [{d['id']}]({links.page('filing', d['id'])}) — {positions_line(d['positions'])}.{text}"
            )
        out.append("")
    return out


def reviews_section(data: WeekData, links: Links) -> list[str]:
    """Positions a person read this week: verified as the machine had them, or corrected."""
    if not data.reviews:
        return []
    out = ["## Positions reviewed", ""]
    for r in data.reviews:
        what = (
            f"verified: {r['stance']}"
            if r["state"] == "verified"
            else f"corrected: {r['machine_stance']} → {r['stance']}"
        )
        quote = f" “{md(' '.join(r['quote']['text'].split())[:200])}”" if r.get("quote") else ""
        out.append(
            f"- **{md(r['holder'])}** on {issue_name(r['issue'])}, {what} "
            f"([{r['document_id']}]({links.page('filing', r['document_id'])}), {r['date']}).{quote}"
        )
    out.append("")
    return out


def stance_shift_section(data: WeekData, links: Links) -> list[str]:
    if not data.stance_shifts:
        return []
    out = ["## Stance shifts", ""]
    for s in data.stance_shifts:
        out.append(
            f"- **{md(s['org'])}** on {issue_name(s['issue'])}: {s['before']} → {s['after']} "
            f"([{s['document_id']}]({links.page('filing', s['document_id'])}))"
        )
    return [*out, ""]


def bills_section(data: WeekData, links: Links) -> list[str]:
    out: list[str] = []
    if data.introductions:
        out += ["## Bills introduced", ""]
        for e in data.introductions:
            bill = data.bills[e["record_id"]]
            sponsor = (bill.get("sponsor") or {}).get("name") or "unknown sponsor"
            added = [
                c["details"]["member"]["name"]
                for c in data.cosponsors_added.get(bill["id"], [])
                if c.get("details")
            ]
            out.append(
                f"- [{md(bill_label(bill))}]({links.page('bill', bill['id'])}){source(bill.get('url'))}, "
                f"introduced {e['upstream_date']} by {md(sponsor)}"
                + (
                    f" with {len(added)} original cosponsors: {md(', '.join(added))}"
                    if added
                    else ""
                )
            )
        out.append("")
    if data.actions:
        out += ["## Bill actions", ""]
        for bill_id, events in data.actions.items():
            bill = data.bills[bill_id]
            out.append(f"- [{md(bill_label(bill))}]({links.page('bill', bill_id)})")
            for e in events:
                text = e["summary"].split(": ", 1)[-1]
                out.append(f"    - {e['upstream_date']}: {md(text)}")
        out.append("")
    introduced = {e["record_id"] for e in data.introductions}
    later = {b: v for b, v in data.cosponsors_added.items() if b not in introduced}
    if later or data.cosponsors_withdrawn:
        out += ["## Cosponsors", ""]
        for bill_id, events in later.items():
            names = [e["details"]["member"]["name"] for e in events if e.get("details")]
            out.append(
                f"- [{md(bill_label(data.bills[bill_id]))}]({links.page('bill', bill_id)}): added {md(', '.join(names))}"
            )
        for bill_id, events in data.cosponsors_withdrawn.items():
            names = [e["details"]["member"]["name"] for e in events if e.get("details")]
            out.append(
                f"- [{md(bill_label(data.bills[bill_id]))}]({links.page('bill', bill_id)}): withdrawn {md(', '.join(names))}"
            )
        out.append("")
    if data.text_versions:
        out += ["## New bill text", ""]
        for e in data.text_versions:
            bill = data.bills[e["record_id"]]
            url = (e.get("details") or {}).get("url")
            slug = data.redlines.get((bill["id"], (e.get("details") or {}).get("code") or ""))
            compare = f" ([redline]({links.page('redline', slug)}))" if slug else ""
            out.append(
                f"- [{md(bill_label(bill))}]({links.page('bill', bill['id'])}): {md(e['summary'].split(': ', 1)[-1])}{source(url)}{compare}"
            )
        out.append("")
    return out


_UNESCAPE = re.compile(r"\\([\\`*_\[\]])")


def render_text(data: WeekData, links: Links) -> str:
    """The e-mail's plain-text part: the Markdown without its front matter, with the
    escapes ``md`` added taken out again (a text part is never interpreted)."""
    text = render_markdown(data, links, front_matter=False)
    return html.unescape(_UNESCAPE.sub(r"\1", text)) + "\n"


def render_fragment(data: WeekData, links: Links) -> str:
    """The digest as an HTML fragment (a feed entry's content): no document, head or body."""
    return str(markdown(render_markdown(data, links, front_matter=False)))


def render_html(data: WeekData, links: Links) -> str:
    """The digest as a whole HTML document (the e-mail's HTML part)."""
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>'
        f"AI and copyright policy, week {data.week}{' so far' if data.as_of else ''}</title></head>\n"
        '<body style="font-family: sans-serif; max-width: 42em">\n'
        f"{render_fragment(data, links)}\n</body></html>\n"
    )
