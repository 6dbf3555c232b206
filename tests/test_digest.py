"""Weekly digests from the real corpus: content, determinism, feed, e-mail, CLI."""

from __future__ import annotations

import email
import re
import socket
import subprocess
import sys
from datetime import UTC, date, datetime
from email import policy

import feedparser
import pytest
from sqlite_utils import Database

from kb.digest.collect import collect_week, weeks_with_events
from kb.digest.outputs import POST_LINKS, send_email
from kb.digest.render import md, render_markdown
from kb.digest.run import write_digests
from kb.digest.weeks import Week
from kb.errors import UsageError


@pytest.fixture(scope="module")
def db(tagged_db_path):
    return Database(tagged_db_path)


def digest(db, week: str) -> str:
    return render_markdown(collect_week(db, Week.parse(week)), POST_LINKS)


def test_week_of_the_initial_comment_deadline(db):
    text = digest(db, "2023-W44")
    assert "497 new filings" in text  # the comments posted on 31 October 2023
    assert "form letters of" in text and "(../../campaigns/campaign-" in text
    assert "Training is fair use: opposes" in text
    assert "(../../filings/COLC-2023-0006-0494.md)" in text
    assert "https://www.regulations.gov/comment/COLC-2023-0006-0494" in text


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        ("2025-W15", ["S. 1367 (119th) NO FAKES Act of 2025", "H.R. 2794 (119th) NO FAKES Act of 2025", "Sen. Coons, Christopher A.", "Rep. Salazar, Maria Elvira", "Sen. Blackburn, Marsha", "original cosponsors"]),
        ("2026-W21", ["S. 4591 (119th) NO FAKES Act of 2026", "H.R. 8915 (119th) NO FAKES Act of 2026", "13 original cosponsors", "9 original cosponsors"]),
        ("2026-W26", ["S. 4591", "Calendar No. 446", "Reported by Senator Grassley", "Reported to Senate"]),
    ],
)  # fmt: skip
def test_no_fakes_weeks(db, week, expected):
    text = digest(db, week)
    for needle in expected:
        assert needle in text, needle


def test_empty_week_says_so(db):
    assert "Nothing moved this week" in digest(db, "2019-W01")


def test_undated_documents_are_listed_in_the_week_that_imported_them(db):
    recorded = db.execute("select max(recorded_at) from events").fetchone()[0]
    week = Week.of(date.fromisoformat(recorded[:10]))
    data = collect_week(db, week)
    assert data.backfill > 9000 and data.undated is not None
    text = render_markdown(data, POST_LINKS)
    assert f"{data.backfill:,} documents recorded without a date" in text  # the headline
    assert "## Date unknown" in text
    undated_orgs = [
        r[0]
        for r in db.execute(
            "select d.id from documents d join events e on e.record_id = d.id and "
            "e.record_table = 'documents' and e.event = 'created' where d.kind = 'comment' "
            "and (e.upstream_date is null or e.upstream_date = '') and d.campaign_id is null "
            "and d.org_ids is not null and d.org_ids != '[]'"
        )
    ]
    assert len(undated_orgs) > 100
    for doc in undated_orgs:  # every organisation's undated filing is named, with its link
        assert f"[{doc}](../../filings/{doc}.md)" in text, doc
    campaigns = {
        r[0]
        for r in db.execute(
            "select distinct d.campaign_id from documents d join events e on e.record_id = d.id "
            "and e.record_table = 'documents' and e.event = 'created' where "
            "(e.upstream_date is null or e.upstream_date = '') and d.campaign_id is not null"
        )
    }
    assert campaigns and all(f"../../campaigns/{c}.md" in text for c in campaigns)
    assert f"{data.undated.individual_filings:,} comments from individuals" in text
    assert "press [Sony Music a publié" in text


def test_upstream_text_is_inert_in_markdown():
    assert md("<script>x</script> [a](javascript:b) *c*") == (
        "&lt;script&gt;x&lt;/script&gt; \\[a\\](javascript:b) \\*c\\*"
    )


def test_all_weeks_are_deterministic_and_the_feed_parses(db, tmp_path):
    weeks = weeks_with_events(db)
    assert Week.parse("2023-W44") in weeks and Week.parse("2026-W26") in weeks
    now = datetime.now(UTC)
    first = write_digests(db, weeks, tmp_path / "a", now=now)
    write_digests(db, weeks, tmp_path / "b", now=now)
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert len([f for f in files if f.parts[0] in ("posts", "email")]) == 2 * len(weeks)
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert first.seconds / len(weeks) < 5
    for name in ("feed.atom", "feed.rss"):
        feed = feedparser.parse((tmp_path / "a" / name).read_bytes())
        assert not feed.bozo, feed.bozo_exception
        assert len(feed.entries) == min(len(weeks), 52)
        assert feed.entries[-1].title.startswith("Week ")
        bodies = [
            (e.get("content") or [{"value": e.get("summary", "")}])[0]["value"]
            for e in feed.entries
        ]
        assert any("Calendar No. 446" in body for body in bodies)
        # Each entry is an HTML fragment that links to its week's post.
        assert not any("<!doctype" in b.lower() or "<body" in b.lower() for b in bodies)
        for entry in feed.entries:
            week = re.findall(r"Week (\d{4}-W\d\d)", entry.title)[0]
            post = (tmp_path / "a" / "posts" / f"{week}.md").read_text()
            day = re.findall(r"^date: (\S+)$", post, re.M)[0]
            assert (
                entry.link
                == f"http://127.0.0.1:8000/digest/{day.replace('-', '/')}/{week.lower()}/"
            )


def test_feed_links_and_dates_are_true(db, tmp_path):
    """Channel and self links per format; no date later than the moment written."""
    now = datetime(2026, 6, 26, 9, 30, tzinfo=UTC)  # a Friday: week 2026-W26 is under way
    weeks = [Week.parse(w) for w in ("2026-W21", "2026-W26", "2026-W27")]
    report = write_digests(db, weeks, tmp_path, now=now)
    assert [str(w.week) for w in report.written] == ["2026-W21", "2026-W26"]  # W27 not begun
    assert not (tmp_path / "posts" / "2026-W27.md").exists()
    post = (tmp_path / "posts" / "2026-W26.md").read_text()
    assert "date: 2026-06-26" in post and "Week 2026-W26 so far" in post
    assert "as of 26 June 2026, 09:30 UTC" in post and "Calendar No. 446" in post
    atom = feedparser.parse((tmp_path / "feed.atom").read_bytes())
    rss = feedparser.parse((tmp_path / "feed.rss").read_bytes())
    for feed in (atom, rss):
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.link == "http://127.0.0.1:8000/digest/"
        dates = [e.get("updated_parsed") or e.published_parsed for e in feed.entries]
        dates.append(feed.feed.updated_parsed)
        assert max(datetime(*d[:6]).replace(tzinfo=UTC) for d in dates) == now
    selfs = {
        name: [ln.href for ln in f.feed.links if ln.rel == "self"]
        for name, f in (("atom", atom), ("rss", rss))
    }
    assert selfs == {
        "atom": ["http://127.0.0.1:8000/feed.atom"],
        "rss": ["http://127.0.0.1:8000/feed.rss"],
    }
    assert atom.entries[0].link == "http://127.0.0.1:8000/digest/2026/06/26/2026-w26/"
    assert atom.entries[1].link == "http://127.0.0.1:8000/digest/2026/05/24/2026-w21/"
    mail = email.message_from_bytes(
        (tmp_path / "email" / "2026-W26.eml").read_bytes(), policy=policy.default
    )
    assert mail["Date"].datetime == now and mail["Subject"].endswith("week 2026-W26 so far")
    # Once the week is over, the next run writes it again, complete and dated its Sunday.
    write_digests(db, [Week.parse("2026-W21")], tmp_path, now=datetime(2026, 7, 1, tzinfo=UTC))
    post = (tmp_path / "posts" / "2026-W26.md").read_text()
    assert "date: 2026-06-28" in post and "so far" not in post
    atom = feedparser.parse((tmp_path / "feed.atom").read_bytes())
    assert atom.entries[0].link == "http://127.0.0.1:8000/digest/2026/06/28/2026-w26/"


def test_email_has_list_headers_and_passes_strict_parsing(db, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_SMTP_FROM", "digest@kb.example.org")
    monkeypatch.setenv("KB_LIST_UNSUBSCRIBE_URL", "https://kb.example.org/unsubscribe")
    report = write_digests(db, [Week.parse("2026-W26")], tmp_path)
    raw = report.written[0].email.read_bytes()
    msg = email.message_from_bytes(raw, policy=policy.strict)  # raises on any defect
    assert all(not part.defects for part in msg.walk())
    assert max(len(line) for line in raw.split(b"\n")) <= 998  # RFC 5322 line limit
    assert msg["List-Id"] == "AI and copyright policy weekly digest <digest.kb.example.org>"
    assert msg["List-Unsubscribe"] == (
        "<mailto:digest@kb.example.org?subject=unsubscribe>, <https://kb.example.org/unsubscribe>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    plain = msg.get_body(("plain",))
    assert plain is not None and "Calendar No. 446" in plain.get_content()


def test_email_is_multipart_and_goes_to_a_local_smtp_server(db, tmp_path, monkeypatch):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[email.message.Message] = []

    class Keep(Message):
        def handle_message(self, message):  # type: ignore[no-untyped-def]
            received.append(message)

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("KB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KB_SMTP_PORT", str(port))
        monkeypatch.setenv("KB_SMTP_TO", "policy-team@example.org")
        report = write_digests(db, [Week.parse("2026-W26")], tmp_path, send=True)
    finally:
        controller.stop()
    assert report.sent
    msg = email.message_from_bytes(report.written[0].email.read_bytes(), policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Calendar No. 446" in text and "<li>" in html and "Calendar No. 446" in html
    assert [m["Subject"] for m in received] == ["AI and copyright policy: week 2026-W26"]
    assert received[0]["To"] == "policy-team@example.org"


def test_no_smtp_configured_sends_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_SMTP_HOST", raising=False)
    path = tmp_path / "x.eml"
    path.write_bytes(b"Subject: x\n\nbody\n")
    assert send_email(path) is False


def test_weeks():
    assert str(Week.parse("2023-W44")) == "2023-W44"
    assert Week.parse("2023-W44").monday == date(2023, 10, 30)
    assert Week.last_complete(datetime(2026, 12, 1, tzinfo=UTC)) == Week.parse("2026-W48")
    with pytest.raises(UsageError):
        Week.parse("2023-44")
    with pytest.raises(UsageError):
        Week.parse("2023-W54")


def test_cli_print_and_bad_week(tagged_db_path):
    run = [sys.executable, "-m", "kb", "--db", str(tagged_db_path), "digest"]
    out = subprocess.run([*run, "--week", "2026-W26", "--print"], capture_output=True, text=True)
    assert out.returncode == 0 and "Calendar No. 446" in out.stdout
    assert "kb digest:" in out.stderr
    bad = subprocess.run([*run, "--week", "2026-26"], capture_output=True, text=True)
    assert bad.returncode == 2 and "YYYY-Www" in bad.stderr
    future = subprocess.run([*run, "--week", "2099-W01"], capture_output=True, text=True)
    assert future.returncode == 2 and "2099-W01: this week has not begun" in future.stderr


def test_update_runs_every_stage_and_is_safe_to_rerun(colc, tmp_path):
    """kb update on a small real database; the watchlist tracks the docket (so its records
    are published) with a source kb sync does not fetch from, so sync has nothing to do."""
    import os
    import shutil

    docs = tmp_path / "documents"
    docs.mkdir()
    for n in (1, 4, 5, 6, 7):
        shutil.copy(colc / "documents" / f"COLC-2023-0006-{n:04d}.json", docs)
    watchlist = tmp_path / "watchlist.toml"
    watchlist.write_text('[[dockets]]\nid = "COLC-2023-0006"\nsource = "import"\n')
    env = {**os.environ, "KB_DB": str(tmp_path / "kb.db"), "KB_ARCHIVE": str(tmp_path / "archive"),
           "KB_DIGEST_DIR": str(tmp_path / "digest"), "KB_NO_PROGRESS": "1"}  # fmt: skip
    env.pop("KB_SMTP_HOST", None)
    kb = [sys.executable, "-m", "kb"]
    subprocess.run([*kb, "import", str(docs)], env=env, check=True, capture_output=True)
    for _ in range(2):
        out = subprocess.run(
            [*kb, "update", "--out", str(tmp_path / "site"), "--watchlist", str(watchlist)],
            env=env, capture_output=True, text=True, cwd=tmp_path,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "kb update:" in out.stderr.splitlines()[-1]
        assert (tmp_path / "site" / "index.html").is_file()
        assert (tmp_path / "site" / "feed.atom").is_file()
        assert (tmp_path / "digest" / "posts" / "2023-W44.md").is_file()
        assert (
            tmp_path / "site" / "digest" / "2023" / "11" / "05" / "2023-w44" / "index.html"
        ).is_file()
