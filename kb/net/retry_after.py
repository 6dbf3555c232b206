"""A ``Retry-After`` that is honoured, but never for longer than a bound, and reported.

An upstream may ask for a pause of a day (``Retry-After: 86400``); the fetcher
waits at most ``$KB_HTTP_RETRY_AFTER_MAX`` seconds (default 300) and logs what
was asked and what it waited, so a sync goes on (or fails the item, for the
next run to retry) instead of sleeping for hours.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, cap: float, now: datetime | None = None) -> float | None:
    """The pause ``value`` asks for (seconds or an HTTP date), at most ``cap``; None if unreadable."""
    if not value or not value.strip():
        return None
    raw = value.strip()
    seconds: float
    if raw.isdigit():
        seconds = float(raw)
    else:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            log.info("unreadable Retry-After %r ignored", raw[:40])
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
    if seconds > cap:
        log.warning(
            "upstream asked to wait (Retry-After: %s); waiting %g s "
            "(at most $KB_HTTP_RETRY_AFTER_MAX)",
            raw[:40],
            cap,
        )
        return cap
    return seconds
