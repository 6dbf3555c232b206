"""Redline pages (one per pair of bill text versions) and the list of them that bill and
family pages show. Pure: pairs and their section redlines in, Markdown out."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from markupsafe import Markup

from kb.redlines import Pair, SectionChange, SectionRedline, Version
from kb.render.markup import block, esc, link, page_head, plain_title, table

_STATUS = {
    "added": "added",
    "removed": "removed",
    "changed": "changed",
    "unchanged": "unchanged",
}


def redline_href(pair: Pair, prefix: str = "../") -> str:
    """The pair's page, from a page one folder below ``bills/`` (a bill or family page)."""
    return f"{prefix}{pair.slug}/"


def redlines_section(
    pairs: Sequence[Pair], diffs: dict[str, SectionRedline], prefix: str = "../"
) -> list[str]:
    """A table of the redlines a bill or family has, each with what changed, or why it
    cannot be shown yet (a text not stored)."""
    if not pairs:
        return []
    rows = []
    for pair in pairs:
        diff = diffs.get(pair.slug)
        what = (
            diff.summary()
            if diff
            else "text not yet stored: " + ", ".join(v.label for v in pair.missing)
        )
        rows.append([link(redline_href(pair, prefix), pair.title), pair.after.date or "—", what])
    return [
        "<h2>Redlines</h2>",
        table(["Versions compared", "Date of the later version", "What changed"], rows),
    ]


def _missing(version: Version) -> str:
    where = (
        Markup("GovInfo publishes it at {}").format(link(version.url, version.url, external=True))
        if version.url
        else Markup("GovInfo lists no address for it")
    )
    return str(
        Markup(
            "<li>{label} ({name}, {date}): not in the knowledge base yet. {where}; "
            "<code>kb sync --source govinfo</code> fetches every text version a tracked bill "
            "lists, and this page then shows the redline.</li>"
        ).format(
            label=version.label,
            name=version.name or version.code.upper(),
            date=version.date or "date unknown",
            where=where,
        )
    )


def _change(change: SectionChange) -> list[str]:
    assert change.diff is not None
    counts = f"+{change.diff.inserted} / −{change.diff.deleted} words"
    head = f"<h3>{esc(change.label)} <small>({_STATUS[change.status]}, {counts})</small></h3>"
    # ``diff.html`` is kb.legislation's redline: escaped text with <ins>/<del> only.
    body = f'<div class="kb-redline">{change.diff.html}</div>'
    if change.status == "unchanged":
        return [head, f"<details><summary>Text (unchanged)</summary>{body}</details>"]
    return [head, body]


def render_redline(pair: Pair, diff: SectionRedline | None, bills: Collection[str] = ()) -> str:
    """One pair's page: the two versions, a summary of the sections added, removed and
    changed, then each section with insertions and deletions marked; ``bills``: the bills
    that have a page to link to."""
    title = plain_title(f"Redline: {pair.title.replace(' → ', ' to ')}", limit=120)
    rows = [
        [
            side,
            link(f"../{v.bill}/", v.label) if v.bill in bills else v.label,
            "before the committee amendment"
            if pair.kind == "amendment" and side == "Earlier"
            else v.name or "",
            v.date or "—",
        ]
        for side, v in (("Earlier", pair.before), ("Later", pair.after))
    ]
    parts = [table(["", "Version", "Stage", "Date"], rows)]
    if diff is None:
        parts.append("<p>The redline cannot be shown yet: a text is missing.</p>")
        parts.append("<ul>" + "".join(_missing(v) for v in pair.missing) + "</ul>")
        return page_head(title) + block("\n".join(parts)) + "\n"
    parts.append(f"<h2>Summary</h2><p>{esc(diff.summary())}</p>")
    for status in ("added", "removed", "changed"):
        names = [c.label for c in diff.of(status)]
        if names:
            parts.append(f"<p><strong>Sections {status}:</strong> {esc('; '.join(names))}</p>")
    parts.append("<h2>Section by section</h2>")
    for change in diff.changes:
        parts += _change(change)
    return page_head(title) + block("\n".join(parts)) + "\n"
