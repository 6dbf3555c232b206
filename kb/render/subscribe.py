"""Links from a page to the Atom feed that follows it (written by ``kb digest``)."""

from __future__ import annotations

from markupsafe import Markup

#: What each kind of feed follows, in words a reader would use.
_WHAT = {
    "family": "this bill's actions, texts and the filings that mention it",
    "organization": "this organisation's filings and positions",
    "issue": "new positions on this issue",
}


def feed_path(kind: str, ident: str) -> str:
    """``family``/``organization``/``issue`` and an id → the feed's path under the site root."""
    return f"feeds/{kind}/{ident}.atom"


def subscribe_link(prefix: str, kind: str, ident: str) -> Markup:
    """A paragraph linking to the feed; ``prefix`` climbs from the page to the site root."""
    return Markup(
        '<p class="kb-subscribe">Follow {what}: '
        '<a href="{href}" type="application/atom+xml">Atom feed</a></p>'
    ).format(what=_WHAT[kind], href=prefix + feed_path(kind, ident))
