"""Form-letter campaign pages: named after their sponsor or opening line, with the
template's text and positions, the number of signatories and how the letters vary.
Pure: rows in, Markdown out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from kb.render.issues import issue_name
from kb.render.markup import (
    block,
    display_quote,
    esc,
    link,
    page_head,
    plain_title,
    stance_badge,
    table,
)
from nlp.campaigns import Variation

Row = dict[str, Any]
#: Edited letters shown as examples on a campaign page.
EXAMPLES = 10


def campaign_name(sponsor: str | None, opening: str, template_id: str) -> str:
    """ "Writers Guild of America letter", else "Form letter: <its opening line>"."""
    if sponsor:
        return f"{sponsor} letter"
    if opening:
        return f"Form letter: {opening}"
    return f"Form letter ({template_id})"


def signers(members: Sequence[Row]) -> int:
    """How many people sent the letters: distinct submitter names (a letter without a
    name, or from "Anonymous", counts as its own)."""
    keys = set()
    for m in members:
        name = " ".join(str(m.get("submitter") or "").lower().split())
        keys.add(name if name and name != "anonymous" else m["id"])
    return len(keys)


def resubmitted(campaign: Row) -> bool:
    """Whether the "campaign" is one person's comment filed several times, not a form
    letter (``signers`` set by the site build)."""
    return campaign.get("signers", 2) < 2


def _label(doc: Row) -> str:
    return str(doc.get("org_name") or doc.get("submitter") or doc.get("title") or doc["id"])


def variations_section(
    variations: Sequence[Variation], members: dict[str, Row], prefix: str
) -> list[str]:
    exact = [v for v in variations if v.exact]
    edited = sorted(
        (v for v in variations if not v.exact),
        key=lambda v: (-(v.inserted + v.deleted), v.document_id),
    )
    parts = [
        "<h2>Variations</h2>",
        str(
            Markup(
                "<p>{} of the {} letters are exact copies of the template (ignoring case, "
                "spacing and the signature after the closing); {} are edited copies: the "
                "signatory added, removed or changed words of the letter.</p>"
            ).format(len(exact), len(variations), len(edited))
        ),
    ]
    if edited:
        rows = [
            [
                link(f"{prefix}filings/{v.document_id}/", v.document_id),
                _label(members[v.document_id]),
                f"+{v.inserted} / −{v.deleted} words",
                display_quote(v.added, 300) if v.added else "(words removed only)",
            ]
            for v in edited[:EXAMPLES]
        ]
        parts.append(
            f"<h3>Most edited copies ({min(EXAMPLES, len(edited))} of {len(edited)})</h3>"
            + table(["Letter", "Signed", "Words changed", "Longest passage added"], rows)
        )
    if exact:
        sample = ", ".join(
            str(link(f"{prefix}filings/{v.document_id}/", v.document_id)) for v in exact[:EXAMPLES]
        )
        parts.append(f"<p>Exact copies, for example: {sample}.</p>")
    return parts


def render_campaign(
    campaign: Row,
    template: Row,
    template_text: str,
    members: Sequence[Row],
    variations: Sequence[Variation],
    positions: Sequence[Row],
) -> str:
    """A campaign: its name, size, dates, the template's text and positions, the
    variations, and every signatory."""
    prefix = "../../"
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
    rows = [
        [link(f"{prefix}filings/{m['id']}/", m["id"]), _label(m), (m.get("posted_at") or "")[:10]]
        for m in members
    ]
    lede = (
        Markup(
            '<p class="kb-lede">The same comment was filed <strong>{}</strong> times by one '
            "person, {}: not a form letter. It is counted once, as {}.</p>"
        ).format(
            campaign["size"],
            _label(template),
            link(f"{prefix}filings/{template['id']}/", template["id"]),
        )
        if resubmitted(campaign)
        else Markup(
            '<p class="kb-lede"><strong>{}</strong> letters from {} signatories. The '
            "template is {}; counted as one campaign, not as independent voices "
            "(codebook rule 5).</p>"
        ).format(
            f"{campaign['size']:,}",
            f"{campaign.get('signers', campaign['size']):,}",
            link(f"{prefix}filings/{template['id']}/", template["id"]),
        )
    )
    parts = [
        str(lede),
        f"<p>First posted {esc((campaign.get('first_posted') or '')[:10] or 'date unknown')}, "
        f"last {esc((campaign.get('last_posted') or '')[:10] or 'date unknown')}.</p>",
        "<h2>The letter</h2>",
        str(Markup('<div class="kb-fulltext kb-template">{}</div>').format(template_text)),
        "<h2>Positions of the template</h2>" + stance,
        *variations_section(variations, {m["id"]: m for m in members}, prefix),
        "<h2>Signatories</h2>" + table(["Letter", "Signed", "Posted"], rows),
    ]
    title = plain_title(campaign.get("name") or campaign["id"])
    return page_head(title) + block("\n".join(parts)) + "\n"


def render_campaign_index(campaigns: list[Row]) -> str:
    """Every campaign, largest first, by name, with its template; then the comments one
    person filed several times (clustered alike, but no campaign)."""
    letters = [c for c in campaigns if not resubmitted(c)]
    again = [c for c in campaigns if resubmitted(c)]
    rows = [
        [
            link(f"{c['id']}/", c.get("name") or c["id"]),
            c["size"],
            c.get("signers", c["size"]),
            link(f"../filings/{c['template_document_id']}/", c["template_document_id"]),
        ]
        for c in letters
    ]
    parts = [table(["Campaign", "Letters", "Signatories", "Template"], rows)]
    if again:
        parts.append(
            "<h2>The same comment filed more than once</h2>"
            f"<p>{len(again)} people filed their own comment more than once; each is "
            "counted once, like a campaign, but is not one.</p>"
            + table(
                ["Filed", "Times", "First filing"],
                [
                    [
                        link(f"{c['id']}/", c.get("name") or c["id"]),
                        c["size"],
                        link(f"../filings/{c['template_document_id']}/", c["template_document_id"]),
                    ]
                    for c in again
                ],
            )
        )
    return (
        "---\ntitle: Campaigns\n---\n\n# Form-letter campaigns\n" + block("\n".join(parts)) + "\n"
    )
