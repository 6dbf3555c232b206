"""How a position's review state reads on a page, and the reader's way to correct it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from kb.render.accuracy import high_threshold
from kb.render.issues import issue_name
from kb.render.markup import block, confidence_label, esc, table

Row = dict[str, Any]
STATE_LABEL = {"verified": "verified", "corrected": "corrected", "machine": "machine"}


def review_badge(position: Row) -> Markup:
    """ "machine · confidence 0.83 (medium)", "verified 2026-12-04" or "corrected 2026-12-04"."""
    state = position.get("review_state") or "machine"
    if state in ("verified", "corrected"):
        when = str(position.get("reviewed_at") or "")[:10]
        title = "a person read this position" + (
            " and replaced the machine's stance" if state == "corrected" else ""
        )
        return Markup('<span class="kb-review kb-review-{0}" title="{1}">{2} {3}</span>').format(
            state, title, STATE_LABEL[state], when
        )
    confidence = confidence_label(float(position.get("confidence") or 0.0), high_threshold())
    return Markup(
        '<span class="kb-review kb-review-machine" title="computed, not yet read by a person">'
        "machine · confidence {0}</span>"
    ).format(confidence)


def correction_href(base: str, position: Row) -> str:
    """The project's issue form, prefilled with the position a reader wants corrected."""
    fields = {
        "title": f"Correction: {position['document_id']} / {position['holder']} / "
        f"{issue_name(position['issue'])}",
        "document": position["document_id"],
        "holder": position["holder"],
        "issue": position["issue"],
        "stance": position["stance"],
        "state": position.get("review_state") or "machine",
    }
    return f"{base}{'&' if '?' in base else '?'}{urlencode(fields)}"


def correction_link(position: Row) -> Markup:
    """ "suggest a correction", when the build gave the position its form URL."""
    href = position.get("correction_href")
    if not href:
        return Markup("")
    return Markup(
        '<a class="kb-correct" href="{0}" rel="nofollow noopener" target="_blank">'
        "suggest a correction</a>"
    ).format(esc(href))


def review_cell(position: Row) -> Markup:
    """Badge and correction link, for a table cell or after a quote."""
    return Markup("{0} {1}").format(review_badge(position), correction_link(position))


def render_review_summary(reviews: list[Row]) -> str:
    """The Accuracy page's section on human reviews: how many machine positions a person
    verified, corrected or removed, per issue (itself a measured precision of the tagger
    on the positions read, which are not a random sample)."""
    decided = [r for r in reviews if r["state"] in ("verified", "corrected", "disputed")]
    if not decided:
        return ""
    by_issue: dict[str, dict[str, int]] = {}
    for r in decided:
        counts = by_issue.setdefault(r["issue"], {"verified": 0, "corrected": 0, "disputed": 0})
        counts[r["state"]] += 1
    verified = sum(1 for r in decided if r["state"] == "verified")
    rows = [
        [issue_name(i), c["verified"], c["corrected"], c["disputed"]]
        for i, c in sorted(by_issue.items(), key=lambda kv: issue_name(kv[0]))
    ]
    return block(
        Markup("<h2>Positions read by a person</h2>")
        + Markup(
            "<p>{0} machine positions have been reviewed against the codebook, each with the "
            "passage the reviewer relied on: {1} verified as they were, {2} corrected to another "
            "stance, {3} removed (no position). The reviewed positions were chosen by need "
            "(named organisations, major filings, low confidence), not at random, so this is the "
            "tagger's precision on them, not on the whole corpus. Every position on the site "
            "shows its state.</p>"
        ).format(
            len(decided),
            verified,
            sum(1 for r in decided if r["state"] == "corrected"),
            sum(1 for r in decided if r["state"] == "disputed"),
        )
        + Markup(table(["Issue", "Verified", "Corrected", "Removed"], rows))  # escaped cells
    )
