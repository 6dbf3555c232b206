"""``kb digest``: one week, or every week the data covers, written to the digest folder."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from kb.digest.collect import collect_week, weeks_with_events  # noqa: F401 - re-exported for the CLI
from kb.digest.outputs import POST_LINKS, Written, send_email, write_feeds, write_week
from kb.digest.render import render_markdown
from kb.digest.weeks import Week


@dataclass
class DigestReport:
    written: list[Written] = field(default_factory=list)
    seconds: float = 0.0
    sent: bool = False

    def summary(self) -> str:
        empty = sum(1 for w in self.written if w.empty)
        slowest = (
            f", {self.seconds / max(len(self.written), 1):.2f} s a week" if self.written else ""
        )
        return (
            f"{len(self.written)} weeks written ({empty} empty) in {self.seconds:.1f} s{slowest}"
            + (", e-mail sent" if self.sent else "")
        )


def print_week(db: Database, week: Week) -> str:
    return render_markdown(collect_week(db, week), POST_LINKS, front_matter=False)


def write_digests(
    db: Database, weeks: list[Week], out: Path, *, send: bool = False
) -> DigestReport:
    """Write posts and e-mails for ``weeks``, then the feeds over every week written so far."""
    report = DigestReport()
    start = time.perf_counter()
    for week in weeks:
        report.written.append(write_week(db, week, out))
    covered = sorted(set(weeks) | {Week.parse(p.stem) for p in (out / "posts").glob("*-W*.md")})
    write_feeds(db, covered, out)
    report.seconds = time.perf_counter() - start
    if send and len(report.written) == 1:
        report.sent = send_email(report.written[0].email)
    return report
