"""Pure parsers for feeds, article pages and press files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

import feedparser
from bs4 import BeautifulSoup

from kb.errors import ParseError
from kb.extract import decode_text
from kb.records import RICH_DETAIL, DocumentRecord, Kind, utc_iso
from nlp.language import detect_language
from scrapers.feeds import SOURCE


def slug(text: str, limit: int = 80) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str | None
    link: str | None
    published: str | None
    summary: str | None


def parse_feed(data: bytes, *, item: str) -> list[FeedEntry]:
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise ParseError(f"not a feed: {parsed.bozo_exception}", item=item, source=SOURCE)
    out = []
    for entry in parsed.entries:
        published = entry.get("published") or entry.get("updated")
        out.append(
            FeedEntry(
                id=entry.get("id") or entry.get("link") or entry.get("title") or "",
                title=entry.get("title"),
                link=entry.get("link"),
                published=utc_iso(published, item=item) if published else None,
                summary=BeautifulSoup(entry.get("summary", ""), "html.parser").get_text() or None,
            )
        )
    return out


def article_text(html: bytes) -> tuple[str | None, str]:
    """The title and main text of an article page."""
    soup = BeautifulSoup(decode_text(html), "lxml")
    title = soup.title.get_text(strip=True) if soup.title else None
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form"]):
        tag.decompose()
    main = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = [
        el.get_text(" ", strip=True)
        for el in main.find_all(["h1", "h2", "h3", "p", "li", "blockquote"])
    ]
    text = "\n\n".join(b for b in blocks if b) or main.get_text("\n", strip=True)
    return title, text


def press_document(
    *,
    text: str,
    title: str | None,
    doc_id: str,
    url: str | None,
    posted_at: str | None,
    organization: str | None = None,
) -> DocumentRecord:
    if not text.strip():
        raise ParseError("article has no text", item=doc_id, source=SOURCE)
    return DocumentRecord(
        id=doc_id,
        source=SOURCE,
        kind=Kind.PRESS,
        url=url,
        richness=RICH_DETAIL,
        title=title,
        organization=organization,
        submitter=organization,
        posted_at=posted_at,
        body=text,
        language=detect_language(text),
    )


def parse_press_file(data: bytes, *, path: PurePath) -> DocumentRecord:
    """A press article saved as text or HTML: first line (or <title>) is its title."""
    ext = path.suffix.lower().lstrip(".")
    doc_id = "press-" + slug(path.stem)
    if ext in ("html", "htm"):
        title, text = article_text(data)
    else:
        text = decode_text(data).replace("\r\n", "\n").strip()
        title = text.split("\n", 1)[0].strip() or None
    return press_document(text=text, title=title, doc_id=doc_id, url=None, posted_at=None)
