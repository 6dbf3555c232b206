"""``kb digest``: one week, or every week the data covers, written to the digest folder."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from kb.digest.collect import collect_week, weeks_with_events  # noqa: F401 - re-exported for the CLI
from kb.digest.feeds import post_url, post_url_of, write_feeds
from kb.digest.outputs import POST_LINKS, Written, collect_as_of, send_email, write_week
from kb.digest.render import render_markdown
from kb.digest.subscriptions import write_subscriptions
from kb.digest.weeks import Week


@dataclass
class DigestReport:
    written: list[Written] = field(default_factory=list)
    seconds: float = 0.0
    sent: bool = False
    subscriptions: int = 0

    def summary(self) -> str:
        empty = sum(1 for w in self.written if w.empty)
        slowest = (
            f", {self.seconds / max(len(self.written), 1):.2f} s a week" if self.written else ""
        )
        return (
            f"{len(self.written)} weeks written ({empty} empty) in {self.seconds:.1f} s{slowest}"
            + f", {self.subscriptions} subscription feeds"
            + (", e-mail sent" if self.sent else "")
        )


def print_week(db: Database, week: Week, now: datetime | None = None) -> str:
    data = collect_as_of(db, week, now or datetime.now(UTC))
    return render_markdown(data, POST_LINKS, front_matter=False)


def write_digests(
    db: Database,
    weeks: list[Week],
    out: Path,
    *,
    send: bool = False,
    now: datetime | None = None,
) -> DigestReport:
    """Write posts and e-mails for ``weeks``, then the feeds over every week written so far.
    A week not begun at ``now`` (default: the clock) is skipped; the week under way is
    written "so far", dated ``now``, and never mailed."""
    now = now or datetime.now(UTC)
    report = DigestReport()
    start = time.perf_counter()
    for week in weeks:
        if week.started(now):
            report.written.append(write_week(db, week, out, now))
    earlier = {Week.parse(p.stem): p for p in (out / "posts").glob("*-W*.md")}
    for week, post in earlier.items():  # a week written "so far" that has since ended
        if (
            week not in weeks
            and week.ended(now)
            and post_url_of(post) != post_url(week, week.sunday)
        ):
            write_week(db, week, out, now)
    covered = sorted(set(weeks) | set(earlier))
    write_feeds(db, covered, out, now)
    report.subscriptions = len(write_subscriptions(db, out, now))
    report.seconds = time.perf_counter() - start
    if send and len(report.written) == 1 and report.written[0].week.ended(now):
        report.sent = send_email(report.written[0].email)
    return report
