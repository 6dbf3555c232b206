"""The digest's outputs: site posts and the e-mail (sent when configured); feeds are in
:mod:`kb.digest.feeds`."""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, time
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlite_utils import Database

from kb.digest.collect import WeekData, collect_week
from kb.digest.render import (
    absolute_links,
    render_html,
    render_markdown,
    render_text,
    site_links,
)
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


def collect_as_of(db: Database, week: Week, now: datetime) -> WeekData:
    """A week's data; a week not over at ``now`` is marked "so far", as of ``now``."""
    data = collect_week(db, week)
    if not week.ended(now):
        data.as_of = now.astimezone(UTC).replace(microsecond=0)
    return data


def written_at(data: WeekData) -> datetime:
    """When the digest's content was complete: the week's end, or ``as_of`` while it runs."""
    return data.as_of or week_end(data.week)


def list_headers(msg: EmailMessage) -> None:
    """RFC 2919 ``List-Id`` and RFC 2369/8058 ``List-Unsubscribe`` (mailto, and a page when
    ``KB_LIST_UNSUBSCRIBE_URL`` is set)."""
    sender = os.environ.get("KB_SMTP_FROM", "kb-digest@localhost")
    domain = sender.rpartition("@")[2] or "localhost"
    msg["List-Id"] = f"AI and copyright policy weekly digest <digest.{domain}>"
    targets = [f"<mailto:{os.environ.get('KB_LIST_UNSUBSCRIBE', sender)}?subject=unsubscribe>"]
    page = os.environ.get("KB_LIST_UNSUBSCRIBE_URL")
    if page:
        targets.append(f"<{page}>")
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["List-Unsubscribe"] = ", ".join(targets)
    msg["List-Archive"] = f"<{site_url().rstrip('/')}/digest/>"


def build_email(data: WeekData) -> EmailMessage:
    """A multipart (text + HTML) message with list headers; no random parts, so the same
    week (and, for a week not over, the same moment) gives the same bytes."""
    links = absolute_links(site_url())
    msg = EmailMessage()
    msg["Subject"] = f"AI and copyright policy: week {data.week}{' so far' if data.as_of else ''}"
    msg["From"] = os.environ.get("KB_SMTP_FROM", "kb-digest@localhost")
    msg["To"] = os.environ.get("KB_SMTP_TO", "subscribers@localhost")
    msg["Date"] = format_datetime(written_at(data))
    so_far = f"-so-far-{data.as_of:%Y%m%dT%H%M%S}" if data.as_of else ""
    msg["Message-ID"] = f"<digest-{data.week}{so_far}@aicopyright-kb>"
    list_headers(msg)
    msg.set_content(render_text(data, links))
    msg.add_alternative(render_html(data, links), subtype="html")
    msg.set_boundary(f"kb-digest-{data.week}{so_far}")
    return msg


def write_week(db: Database, week: Week, out: Path, now: datetime) -> Written:
    data = collect_as_of(db, week, now)
    post = out / "posts" / f"{week}.md"
    email = out / "email" / f"{week}.eml"
    post.parent.mkdir(parents=True, exist_ok=True)
    email.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(render_markdown(data, POST_LINKS), encoding="utf-8")
    email.write_bytes(bytes(build_email(data)))
    return Written(week, post, email, data.empty)


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
