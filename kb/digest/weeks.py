"""ISO weeks: parsing ``YYYY-Www``, their bounds, and the last complete week."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from kb.errors import UsageError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> Week:
        m = _WEEK.match(text.strip())
        if not m:
            raise UsageError("a week is written YYYY-Www, e.g. 2023-W44", item=text)
        try:
            date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError as exc:
            raise UsageError(f"no such ISO week ({exc})", item=text) from exc
        return cls(int(m[1]), int(m[2]))

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def last_complete(cls, now: datetime) -> Week:
        return cls.of((now.astimezone(UTC) - timedelta(days=7)).date())

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)

    def ended(self, now: datetime) -> bool:
        """True once the week's last day is over (in UTC) at ``now``."""
        return now.astimezone(UTC).date() >= self.next_monday

    def started(self, now: datetime) -> bool:
        return now.astimezone(UTC).date() >= self.monday

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"
