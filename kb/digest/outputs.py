"""The digest's outputs: site posts, Atom and RSS feeds, and the e-mail (sent when configured)."""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, time
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from feedgen.feed import FeedGenerator
from sqlite_utils import Database

from kb.digest.collect import WeekData, collect_week
from kb.digest.render import absolute_links, render_html, render_markdown, render_text, site_links
from kb.digest.weeks import Week
from kb.errors import KbError

#: Posts live in the site's digest/posts/ folder: links climb to the site root.
POST_LINKS = site_links("../../")


class MailError(KbError):
    """The digest could not be sent."""


@dataclass(frozen=True)
class Written:
    week: Week
    post: Path
    email: Path
    empty: bool


def site_url() -> str:
    return os.environ.get("KB_SITE_URL", "http://127.0.0.1:8000/")


def week_end(week: Week) -> datetime:
    return datetime.combine(week.sunday, time(23, 59, 59), tzinfo=UTC)


def build_email(data: WeekData) -> EmailMessage:
    """A multipart (text + HTML) message; no random parts, so the same week gives the same bytes."""
    links = absolute_links(site_url())
    msg = EmailMessage()
    msg["Subject"] = f"AI and copyright policy: week {data.week}"
    msg["From"] = os.environ.get("KB_SMTP_FROM", "kb-digest@localhost")
    msg["To"] = os.environ.get("KB_SMTP_TO", "subscribers@localhost")
    msg["Date"] = format_datetime(week_end(data.week))
    msg["Message-ID"] = f"<digest-{data.week}@aicopyright-kb>"
    msg.set_content(render_text(data, links))
    msg.add_alternative(render_html(data, links), subtype="html")
    msg.set_boundary(f"kb-digest-{data.week}")
    return msg


def write_week(db: Database, week: Week, out: Path) -> Written:
    data = collect_week(db, week)
    post = out / "posts" / f"{week}.md"
    email = out / "email" / f"{week}.eml"
    post.parent.mkdir(parents=True, exist_ok=True)
    email.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(render_markdown(data, POST_LINKS), encoding="utf-8")
    email.write_bytes(bytes(build_email(data)))
    return Written(week, post, email, data.empty)


def write_feeds(db: Database, weeks: list[Week], out: Path, limit: int = 52) -> tuple[Path, Path]:
    """Atom and RSS feeds of the latest ``limit`` digests (feedgen writes the XML)."""
    links = absolute_links(site_url())
    base = site_url().rstrip("/")
    fg = FeedGenerator()
    fg.id(f"{base}/digest/")
    fg.title("AI and copyright policy: weekly digest")
    fg.subtitle("What moved each week: filings, positions, bills, notices.")
    fg.link(href=f"{base}/digest/", rel="alternate")
    fg.link(href=f"{base}/feed.atom", rel="self")
    fg.language("en")
    recent = sorted(weeks)[-limit:]
    for week in recent:
        data = collect_week(db, week)
        entry = fg.add_entry(order="append")
        url = f"{base}/digest/{week.sunday:%Y/%m/%d}/{str(week).lower()}/"
        entry.id(url)
        entry.link(href=url)
        entry.title(f"Week {week}: what moved in AI and copyright policy")
        entry.published(week_end(week))
        entry.updated(week_end(week))
        entry.content(render_html(data, links), type="html")
    stamp = week_end(recent[-1]) if recent else datetime(2000, 1, 1, tzinfo=UTC)
    fg.updated(stamp)
    fg.lastBuildDate(stamp)
    atom, rss = out / "feed.atom", out / "feed.rss"
    fg.atom_file(str(atom), pretty=True)
    fg.rss_file(str(rss), pretty=True)
    return atom, rss


def send_email(path: Path) -> bool:
    """Send a written digest over SMTP when ``KB_SMTP_HOST`` is set; False when not configured."""
    host = os.environ.get("KB_SMTP_HOST")
    if not host:
        return False
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    try:
        with smtplib.SMTP(host, int(os.environ.get("KB_SMTP_PORT", "25")), timeout=30) as smtp:
            if os.environ.get("KB_SMTP_STARTTLS") == "1":
                smtp.starttls()
            user = os.environ.get("KB_SMTP_USER")
            if user:
                smtp.login(user, os.environ.get("KB_SMTP_PASSWORD", ""))
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"sending the digest failed: {exc}") from exc
    return True
