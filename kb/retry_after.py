"""A ``Retry-After`` that is honoured, but never for longer than a bound, and reported.

An upstream may ask for a pause of a day (``Retry-After: 86400``); the fetcher
waits at most ``$KB_HTTP_RETRY_AFTER_MAX`` seconds (default 300: urllib3's own
``retry_after_max``) and logs what was asked and what it waited, so a sync goes
on (or fails the item, for the next run to retry) instead of sleeping for hours.
"""

from __future__ import annotations

import logging

from urllib3.util.retry import Retry

log = logging.getLogger(__name__)


class CappedRetry(Retry):
    """urllib3's ``Retry``, saying so when it caps a ``Retry-After``."""

    def parse_retry_after(self, retry_after: str) -> float:
        seconds = super().parse_retry_after(retry_after)
        if seconds >= self.retry_after_max:
            log.warning(
                "upstream asked to wait (Retry-After: %s); waiting %.0f s "
                "(at most $KB_HTTP_RETRY_AFTER_MAX)",
                retry_after[:40],
                seconds,
            )
        return seconds
