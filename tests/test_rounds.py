"""Comment rounds from the docket's deadlines: received date (US Eastern), a posting date
before the first deadline, a reply that says so; otherwise unknown, never guessed."""

from __future__ import annotations

import json
from datetime import date

from kb.extract import extract_text
from kb.rounds import LATE, UNKNOWN, deadlines, eastern_day, round_of
from kb.watchlist import load_watchlist

CLOSES = deadlines(
    [{"name": "reply", "closes": "2023-12-06"}, {"name": "initial", "closes": "2023-10-30"}]
)


def test_received_date_decides_in_us_eastern_time():
    # 11:59 p.m. Eastern on the initial deadline is 03:59 UTC the next day (EDT).
    assert round_of({"received_at": "2023-10-31T03:59:59Z"}, CLOSES) == "initial"
    assert round_of({"received_at": "2023-10-31T04:00:00Z"}, CLOSES) == "reply"
    # EST after 5 November: 11:59 p.m. on 6 December is 04:59 UTC on the 7th.
    assert round_of({"received_at": "2023-12-07T04:59:59Z"}, CLOSES) == "reply"
    assert round_of({"received_at": "2023-12-07T05:00:00Z"}, CLOSES) == LATE
    # A received date wins over words in the text.
    assert round_of({"received_at": "2023-09-01T12:00:00Z"}, CLOSES, says_reply=True) == "initial"


def test_posting_date_only_tells_when_before_the_first_deadline():
    assert round_of({"posted_at": "2023-10-20T04:00:00Z"}, CLOSES) == "initial"
    # Posted after the deadline: it may have been received before it. Not guessed.
    assert round_of({"posted_at": "2023-11-02T04:00:00Z"}, CLOSES) == UNKNOWN
    assert round_of({"posted_at": "2023-11-02T04:00:00Z"}, CLOSES, says_reply=True) == "reply"


def test_without_a_date_only_a_reply_that_says_so_has_a_round():
    assert round_of({}, CLOSES, says_reply=True) == "reply"
    assert round_of({}, CLOSES) == UNKNOWN
    assert round_of({"received_at": "2023-09-01T12:00:00Z"}, []) == UNKNOWN


def test_watchlist_deadlines_match_the_recorded_notices(colc):
    """Initial comments due 30 October 2023 (the extension notice, COLC-2023-0006-0002);
    the reply period ran to 6 December 2023 (the Notice's commentEndDate in the API)."""
    docket = next(d for d in load_watchlist().dockets if d.id == "COLC-2023-0006")
    closes = dict(deadlines(docket.rounds))
    assert closes == {"initial": date(2023, 10, 30), "reply": date(2023, 12, 6)}
    notice = json.loads((colc / "documents" / "COLC-2023-0006-0001.json").read_text())
    assert eastern_day(notice["data"]["attributes"]["commentEndDate"]) == closes["reply"]
    pdf = (colc / "notices" / "COLC-2023-0006-0002.pdf").read_bytes()
    text = " ".join(extract_text(pdf, "pdf", item="0002").text.split())
    assert "will now be due by 11:59 p.m. Eastern Time on October 30, 2023" in text
