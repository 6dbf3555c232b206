"""Sync of bills, Federal Register, pages and feeds against recorded upstreams on loopback."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from kb.net.archive import Archive
from kb.net.fetcher import Fetcher
from kb.settings import FetchSettings
from kb.store import open_db
from kb.store.query import export_bills
from kb.watchlist import BillSearch, FederalRegisterSearch, WatchedFeed, WatchedPage
from scrapers.congress_gov.fetch import CongressClient
from scrapers.congress_gov.sync import sync_congress
from scrapers.copyright_office.sync import sync_pages
from scrapers.federal_register.fetch import FederalRegisterClient
from scrapers.federal_register.sync import sync_federal_register
from scrapers.feeds.sync import sync_feeds
from scrapers.govinfo.fetch import GovInfoClient
from scrapers.govinfo.sync import sync_govinfo
from tests.upstream.legislation import (
    RecordedCongressGov,
    RecordedFederalRegister,
    RecordedFeed,
    RecordedGovInfo,
    RecordedPages,
)
from tests.upstream.server import Upstream

NO_FAKES = ["119-s-1367", "119-hr-2794", "119-s-4591", "119-hr-8915"]
KEY = "congress-key-5e1d2c"


@pytest.fixture
def upstream():
    server = Upstream().start()
    yield server
    server.stop()


@pytest.fixture
def fetcher(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGRESS_GOV_API_KEY", KEY)
    return Fetcher(
        Archive(tmp_path / "archive"), FetchSettings(retries=3, backoff_factor=0.01, read_timeout=2)
    )


def test_govinfo_sync_by_sitemap_lastmod(tmp_path, corpus, upstream, fetcher):
    RecordedGovInfo(corpus).install(upstream)
    upstream.fault("503", r"BILLSTATUS-119s4591", times=1)
    upstream.fault("truncate", r"sitemap/bulkdata/BILLSTATUS/119hr", times=1)
    db = open_db(tmp_path / "kb.db")
    client = GovInfoClient(fetcher, base=upstream.base)
    report = sync_govinfo(db, client, NO_FAKES)
    bills = {b["id"]: b for b in export_bills(db)}
    assert set(bills) == set(NO_FAKES)
    assert bills["119-s-4591"]["status"] == "reported"
    # The texts of these versions were not recorded: a clear, permanent failure each.
    assert {str(e.item).split("/")[0] for e in report.errors} == set(NO_FAKES)
    assert all("404" in str(e) for e in report.errors)
    before = len(upstream.log)
    report = sync_govinfo(db, client, NO_FAKES)
    second = [p for p, _ in upstream.log[before:]]
    assert all(p.startswith("/sitemap/") for p in second), "unchanged lastmod: sitemaps only"
    assert report.counts["unchanged"] == 4


def test_congress_gov_sync_with_paging_and_search(tmp_path, corpus, upstream, fetcher):
    RecordedCongressGov(corpus, max_limit=5).install(upstream)
    upstream.fault("429", r"/v3/bill/117/hr/21/actions", times=1)
    db = open_db(tmp_path / "kb.db")
    client = CongressClient(fetcher, base=f"{upstream.base}/v3")
    report, found = sync_congress(db, client, ["117-hr-21"], (BillSearch(("MORE Act",), (117,)),))
    assert found == ["117-hr-3617"]  # the recorded list's one titled bill
    assert Counter(p for p, _ in upstream.log)["/v3/bill/117"] == 4  # 20 listed items, 5 a page
    bill = next(b for b in export_bills(db) if b["id"] == "117-hr-21")
    assert bill["status"] == "passed_house" and len(bill["cosponsors"]) == 2
    assert {v["code"] for v in bill["text_versions"]} == {"ih", "eh", "rfs"}
    assert [str(e.item) for e in report.errors] == ["117-hr-3617"]  # found, but not recorded
    archived = (tmp_path / "archive" / "responses.jsonl").read_text()
    assert (KEY not in archived and "REDACTED" not in archived) or KEY not in archived
    before = len(upstream.log)
    sync_congress(db, client, ["117-hr-21"], ())
    assert [p for p, _ in upstream.log[before:]] == ["/v3/bill/117/hr/21"]  # unchanged: no parts


def test_federal_register_splits_truncated_windows(tmp_path, corpus, upstream, fetcher):
    RecordedFederalRegister(corpus, cap=1).install(upstream)
    db = open_db(tmp_path / "kb.db")
    client = FederalRegisterClient(fetcher, base=f"{upstream.base}/api/v1", max_results=1)
    search = FederalRegisterSearch(term="filings", since="2024-12-01")
    report = sync_federal_register(db, client, (search,), date(2024, 12, 31))
    assert report.counts["windows split"] >= 4
    ids = {r[0] for r in db.execute("select id from documents")}
    assert ids == {"fr-2024-31440", "fr-2024-31439"}
    assert (
        db.execute("select kind from documents where id = 'fr-2024-31440'").fetchone()[0]
        == "notice"
    )


def test_pages_conditional_get_and_change_event(tmp_path, corpus, upstream, fetcher):
    colc = corpus / "regulations.gov/COLC-2023-0006/notices"
    html = (
        corpus
        / "regulations.gov/format-samples/USTR-2015-0010/documents/USTR-2015-0010-0001_content.htm"
    )
    pages = RecordedPages(
        {
            "/USTR-2015-0010-0001/content.htm": html,
            "/COLC-2023-0006-0001/content.pdf": colc / "COLC-2023-0006-0001.pdf",
        }
    )
    pages.install(upstream)
    watched = (
        WatchedPage(
            f"{upstream.base}/USTR-2015-0010-0001/content.htm", "USTR request for comments"
        ),
        WatchedPage(
            f"{upstream.base}/COLC-2023-0006-0001/content.pdf", "Notice of Inquiry", "report"
        ),
    )
    db = open_db(tmp_path / "kb.db")
    archive = fetcher.archive
    report = sync_pages(db, fetcher, archive, watched)
    assert report.counts["pages new"] == 2
    notice = db["documents"].get("page-notice-of-inquiry")
    assert notice["kind"] == "report" and json.loads(notice["pages"])
    report = sync_pages(db, fetcher, archive, watched)
    assert report.counts["pages unchanged"] == 2
    statuses = [s for s in upstream.answered]
    assert len(statuses) == 4
    pages.swap("/COLC-2023-0006-0001/content.pdf", colc / "COLC-2023-0006-0002.pdf")
    report = sync_pages(db, fetcher, archive, watched)
    assert report.counts["pages changed"] == 1 and report.counts["pages unchanged"] == 1
    events = db.execute(
        "select event, upstream_date from events where record_id = 'page-notice-of-inquiry' "
        "order by id"
    ).fetchall()
    assert [e[0] for e in events] == ["created", "changed"]
    assert events[1][1] == "2023-12-06T12:00:00Z"


def test_feed_article_in_french(tmp_path, corpus, upstream, fetcher):
    RecordedFeed(next((corpus / "news").glob("*.txt")), upstream.base).install(upstream)
    db = open_db(tmp_path / "kb.db")
    feed = WatchedFeed(
        "https://www.musicbusinessworldwide.com/feed/",
        "Music Business Worldwide",
        ("AI", "IA", "copyright"),
    )

    def rewrite(url: str) -> str:
        return url.replace("https://www.musicbusinessworldwide.com", upstream.base)

    report = sync_feeds(db, fetcher, (feed,), rewrite)
    assert report.counts["articles new"] == 1
    doc = db.execute("select language, kind, title, text from documents").fetchone()
    assert doc[0] == "fr" and doc[1] == "press" and doc[2].startswith("Sony Music")
    assert "Menu" not in doc[3] and "Kooker" in doc[3]
    assert sync_feeds(db, fetcher, (feed,), rewrite).counts["articles known"] == 1
