"""Escaping and small HTML building blocks for pages made of untrusted text."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from markupsafe import Markup, escape

_TITLE_PUNCTUATION = set(" .,'’()-/:")
STANCE_LABEL = {"supports": "supports", "opposes": "opposes", "mixed": "mixed"}
CATEGORY_LABEL = {
    "record_label": "Record label",
    "music_publisher": "Music publisher",
    "collecting_society": "Collecting society",
    "trade_association": "Trade association",
    "union_guild": "Union or guild",
    "news_publisher": "News publisher",
    "book_publisher_authors": "Book publisher or authors' group",
    "ai_developer": "AI developer",
    "technology_platform": "Technology platform",
    "civil_society": "Civil society",
    "academic": "Academic",
    "government": "Government",
    "individual": "Individual",
    "press": "Press article",
    "other": "Other organisation",
}


def esc(value: object) -> Markup:
    """HTML-escaped text (quotes included), safe inside elements and attributes."""
    if isinstance(value, Markup):  # already safe: HTML this module built
        return value
    return escape("" if value is None else str(value))


def plain_title(value: object, limit: int = 90) -> str:
    """A page or nav title from upstream text: letters, digits and plain punctuation only.

    Titles pass through the theme's ``striptags`` filter, which turns entities back
    into characters, so escaping is not enough there: anything else is dropped."""
    text = "".join(
        ch if ch.isalnum() or ch in _TITLE_PUNCTUATION else " " for ch in str(value or "")
    )
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: object) -> str | None:
    """An upstream link only if it is plain http(s); anything else is dropped."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def link(href: str, text: object, *, external: bool = False) -> Markup:
    """``<a>`` to one of our pages (``href`` is ours) or an upstream URL (checked)."""
    if external:
        checked = safe_url(href)
        if checked is None:
            return esc(text)
        return Markup('<a href="{}" rel="nofollow noopener">{}</a>').format(checked, esc(text))
    return Markup('<a href="{}">{}</a>').format(href, esc(text))


def stance_badge(stance: str) -> Markup:
    return Markup('<span class="stance stance-{0}">{1}</span>').format(
        stance, STANCE_LABEL.get(stance, stance)
    )


def category_label(category: str | None) -> str:
    return CATEGORY_LABEL.get(category or "", (category or "unknown").replace("_", " "))


def table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """An HTML table; cells are escaped unless they are already ``Markup``."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<table class="kb">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>'
    )


def file_size(n: int) -> str:
    """A download's size as a reader reads it: KB below 1 MB (never "0.0 MB"), else MB."""
    if n < 1_000_000:
        return f"{max(n, 1) / 1000:.1f} KB" if n < 100_000 else f"{n / 1000:.0f} KB"
    return f"{n / 1_000_000:.1f} MB"


def page_head(title: str) -> str:
    """Front matter and heading of a page; ``title`` must come from ``plain_title`` or our
    own text. JSON-quoted, so a colon in it cannot break the YAML."""
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n# {title}\n"


def block(html: object, cls: str = "kb-block") -> str:
    """A raw HTML block Markdown leaves alone (blank lines around it)."""
    return f'\n<div class="{cls}" markdown="0">\n{html}\n</div>\n'


_HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[a-z])")
#: After a capital or a digit the hyphen is the word's own ("AI-\ngenerated", "third-\n
#: party" is the rule above): the line break goes, the hyphen stays.
_COMPOUND_BREAK = re.compile(r"(?<=[A-Z0-9])-[ \t]*\n[ \t]*(?=[a-z])")
_LINE_BREAK = re.compile(r"\s*\n\s*")
#: The Federal Register's typesetting of double quotes as two single ones.
_DOUBLED = {"‘‘": "“", "’’": "”"}


def display_quote(text: str, limit: int = 400) -> str:
    """A quote as a reader should see it: a PDF's hard line breaks joined, a word split
    by a line-end hyphen put back together (a hyphen after a capital kept: "AI-generated"),
    doubled single quotes made double ones, runs of spaces made one, and a quote longer
    than ``limit`` cut at a word boundary with an ellipsis. Display only: the stored
    quote and its offsets keep the exact extracted characters."""
    joined = _LINE_BREAK.sub(" ", _HYPHEN_BREAK.sub("", _COMPOUND_BREAK.sub("-", text)))
    joined = " ".join(joined.split())
    for doubled, quote in _DOUBLED.items():
        joined = joined.replace(doubled, quote)
    if len(joined) <= limit:
        return joined
    cut = joined.rfind(" ", 0, limit)
    head = joined[: cut if cut > limit // 2 else limit].rstrip(" ,;:—–-")
    return head + " …"


def confidence_label(confidence: float, high: float | None) -> str:
    """ "0.97 (high)": the position's calibrated confidence, and whether it clears the
    threshold at which the test split's positions were right at least 95 % of the time."""
    level = "high" if high is not None and confidence >= high else "medium"
    # Cut, not rounded, to two places: 0.877 rounded would read "0.88 (medium)" beside
    # the Accuracy page's "from 0.88 up are marked high".
    return f"{math.floor(round(confidence * 100, 6)) / 100:.2f} ({level})"
