"""The site-wide digest feeds (Atom and RSS, written by feedgen): one entry per week, its
content an HTML fragment, its link the week's post, and no date later than the moment
the feed was written."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from feedgen.feed import FeedGenerator
from sqlite_utils import Database

from kb.digest.outputs import collect_as_of, site_url, written_at
from kb.digest.render import absolute_links, post_date, post_title, render_fragment
from kb.digest.weeks import Week

#: When nothing at all is on record, a feed still needs an ``updated``: the Unix epoch.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def post_url(week: Week, day: date) -> str:
    """Where the blog plugin puts a week's post (``post_url_format: "{date}/{slug}"``),
    relative to the site root; ``day`` is the date the post carries."""
    return f"digest/{day:%Y/%m/%d}/{str(week).lower()}/"


def post_url_of(path: Path) -> str:
    """The URL of a written post (``digest/posts/<week>.md``), from its front matter date."""
    week = Week.parse(path.stem)
    for line in path.read_text(encoding="utf-8").splitlines()[1:8]:
        if line.startswith("date: "):
            return post_url(week, date.fromisoformat(line[6:].strip()))
    return post_url(week, week.sunday)


@dataclass(frozen=True)
class FeedMeta:
    """What a feed is: its path under the site root, title, subtitle and the page it follows."""

    path: str
    title: str
    subtitle: str
    page: str


def new_feed(meta: FeedMeta) -> FeedGenerator:
    """A feedgen feed with its id, title and links; ``self`` is set per format on writing."""
    base = site_url().rstrip("/")
    fg = FeedGenerator()
    fg.id(f"{base}/{meta.path}")
    fg.title(meta.title)
    fg.subtitle(meta.subtitle)
    fg.language("en")
    fg.author(name="AI and copyright policy knowledge base")
    fg.link(href=f"{base}/{meta.page}", rel="alternate", type="text/html")
    return fg


def save_atom(fg: FeedGenerator, meta: FeedMeta, out: Path) -> Path:
    base = site_url().rstrip("/")
    alternate = f"{base}/{meta.page}"
    fg.link(
        [
            {"href": f"{base}/{meta.path}", "rel": "self", "type": "application/atom+xml"},
            {"href": alternate, "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )
    path = out / meta.path
    path.parent.mkdir(parents=True, exist_ok=True)
    fg.atom_file(str(path), pretty=True)
    return path


def save_rss(fg: FeedGenerator, meta: FeedMeta, out: Path) -> Path:
    """RSS beside the Atom file: the channel ``<link>`` is the page, ``atom:link rel=self``
    the RSS file itself (feedgen takes the channel link from the last link given)."""
    base = site_url().rstrip("/")
    rss = meta.path.rsplit(".", 1)[0] + ".rss"
    fg.link(
        [
            {"href": f"{base}/{rss}", "rel": "self", "type": "application/rss+xml"},
            {"href": f"{base}/{meta.page}", "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )
    path = out / rss
    fg.rss_file(str(path), pretty=True)
    return path


SITE_FEED = FeedMeta(
    "feed.atom",
    "AI and copyright policy: weekly digest",
    "What moved each week: filings, positions, bills, notices.",
    "digest/",
)


def write_feeds(
    db: Database, weeks: Sequence[Week], out: Path, now: datetime, limit: int = 52
) -> tuple[Path, Path]:
    """Atom and RSS feeds of the latest ``limit`` digests of weeks begun by ``now``."""
    links = absolute_links(site_url())
    base = site_url().rstrip("/")
    fg = new_feed(SITE_FEED)
    recent = sorted(w for w in weeks if w.started(now))[-limit:]
    stamp = EPOCH
    for week in recent:
        data = collect_as_of(db, week, now)
        when = written_at(data)
        stamp = max(stamp, when)
        entry = fg.add_entry(order="prepend")
        url = f"{base}/{post_url(week, post_date(data))}"
        entry.id(f"{base}/digest/#{week}")
        entry.link(href=url, rel="alternate", type="text/html")
        entry.title(post_title(data))
        entry.published(when)
        entry.updated(when)
        entry.content(render_fragment(data, links), type="html")
    fg.updated(stamp)
    fg.lastBuildDate(stamp)
    return save_atom(fg, SITE_FEED, out), save_rss(fg, SITE_FEED, out)


def copy_feeds(digest_dir: Path | None, out: Path) -> None:
    """Put the digest's feeds into the built site: the site-wide Atom and RSS files and
    the ``feeds/`` folder of subscriptions."""
    if not digest_dir:
        return
    for name in ("feed.atom", "feed.rss"):
        if (digest_dir / name).is_file():
            shutil.copy(digest_dir / name, out / name)
    if (digest_dir / "feeds").is_dir():
        shutil.copytree(digest_dir / "feeds", out / "feeds", dirs_exist_ok=True)
