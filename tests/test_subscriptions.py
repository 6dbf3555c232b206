"""Feeds per bill family, organisation and issue, from the whole recorded corpus: valid
Atom (feedparser, no bozo), links to real pages, no date after the moment written, small."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest
from sqlite_utils import Database

from kb.digest.run import write_digests
from kb.digest.weeks import Week

BASE = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def feeds(tagged_db_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("digest")
    now = datetime.now(UTC).replace(microsecond=0)
    report = write_digests(Database(tagged_db_path), [Week.parse("2026-W26")], out, now=now)
    return out, now, report


def parsed(path):
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, (path, feed.bozo_exception)
    return feed


def when(struct) -> datetime:
    year, month, day, hour, minute, second = struct[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_every_feed_is_valid_small_and_never_dated_in_the_future(feeds):
    out, now, report = feeds
    files = sorted((out / "feeds").rglob("*.atom"))
    assert report.subscriptions == len(files)
    kinds = {p.parent.name for p in files}
    assert kinds == {"family", "organization", "issue"}
    for path in files:
        feed = parsed(path)
        assert path.stat().st_size < 100_000, path
        assert 0 < len(feed.entries) <= 50, path
        rel = path.relative_to(out).as_posix()
        assert [ln.href for ln in feed.feed.links if ln.rel == "self"] == [BASE + rel]
        assert feed.feed.link.startswith(BASE) and feed.feed.link.endswith("/")
        for entry in feed.entries:
            assert when(entry.updated_parsed) <= now, (path, entry.id)
            assert entry.link.startswith(BASE) and entry.link.endswith("/"), entry.link
            body = entry.content[0].value
            assert "<html" not in body.lower() and body.startswith("<p>")
        assert when(feed.feed.updated_parsed) == max(when(e.updated_parsed) for e in feed.entries)


def test_no_fakes_family_feed_tells_what_moved(feeds):
    out, _, _ = feeds
    feed = parsed(out / "feeds" / "family" / "no-fakes-act.atom")
    assert feed.feed.link == BASE + "bills/family-no-fakes-act/"
    titles = [e.title for e in feed.entries]
    assert any("Calendar No. 446" in t for t in titles)
    assert any(t == "S. 4591: text Reported to Senate" for t in titles)
    reported = next(e for e in feed.entries if e.title == "S. 4591: text Reported to Senate")
    assert reported.link == BASE + "bills/119-s-4591/"
    assert reported.published_parsed[:3] == (2026, 6, 24)


def test_organisation_and_issue_feeds(feeds, tagged_db_path):
    out, _, _ = feeds
    openai = parsed(out / "feeds" / "organization" / "openai.atom")
    links = {e.link for e in openai.entries}
    assert {BASE + "filings/COLC-2023-0006-8906/", BASE + "filings/COLC-2023-0006-10340/"} <= links
    sony = parsed(out / "feeds" / "organization" / "sony-music.atom")
    assert any("press-mbw-2023-12-sony-music" in e.link for e in sony.entries)
    fair_use = parsed(out / "feeds" / "issue" / "training_fair_use.atom")
    assert fair_use.feed.link == BASE + "issues/training_fair_use/"
    db = Database(tagged_db_path)
    members = {
        r[0]
        for r in db.execute(
            "select d.id from documents d join campaigns c on c.id = d.campaign_id "
            "where d.id != c.template_document_id"
        )
    }
    for entry in fair_use.entries:  # a form letter speaks once, through its template
        doc = entry.link.rstrip("/").rsplit("/", 1)[1]
        assert doc not in members
        assert "Training is fair use:" in entry.content[0].value
