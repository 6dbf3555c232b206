"""Which comment round a filing belongs to, from the docket's deadlines in the watchlist.

Pure: a filing's dates and opening text in, a round out. The rule, most certain first:

1. its received date (the day it reached the agency, in US Eastern time, the time
   regulations.gov reads dates in) falls in a round: on or before that round's closing
   day and after the previous one's;
2. without a received date, a posting date on or before the first round's close
   (a comment is posted after it is received, so it was received in that round too);
   a later posting date says nothing about when it was received;
3. without either, its title or opening says it is a reply comment
   (:func:`kb.store.site_query.reply_documents`): the reply round;
4. otherwise the round is unknown. Never guessed.

A filing received after the last deadline is ``late``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
UNKNOWN = "unknown"
LATE = "late"
#: Rounds in the order pages list them.
ROUND_ORDER_NAMES = ("initial", "reply", LATE, UNKNOWN)
#: How a round reads on a page.
ROUND_LABEL = {
    "initial": "initial",
    "reply": "reply",
    LATE: "after the last deadline",
    UNKNOWN: "round unknown",
}


def round_label(name: str) -> str:
    return ROUND_LABEL.get(name, name)


def eastern_day(timestamp: str | None) -> date | None:
    """The US Eastern calendar day of an ISO 8601 UTC timestamp (``...Z``)."""
    if not timestamp:
        return None
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(EASTERN).date()


def deadlines(rounds: Sequence[Mapping[str, str]]) -> list[tuple[str, date]]:
    """The watchlist's rounds as (name, closing day), earliest first."""
    return sorted(
        ((r["name"], date.fromisoformat(r["closes"])) for r in rounds), key=lambda r: r[1]
    )


def round_of(
    doc: Mapping[str, Any], closes: Sequence[tuple[str, date]], *, says_reply: bool = False
) -> str:
    """The round ``doc`` (with ``received_at`` and ``posted_at``) belongs to."""
    if not closes:
        return UNKNOWN
    received = eastern_day(doc.get("received_at"))
    if received is not None:
        for name, last_day in closes:
            if received <= last_day:
                return name
        return LATE
    posted = eastern_day(doc.get("posted_at"))
    if posted is not None and posted <= closes[0][1]:
        return closes[0][0]
    if says_reply and any(name == "reply" for name, _ in closes):
        return "reply"
    return UNKNOWN
