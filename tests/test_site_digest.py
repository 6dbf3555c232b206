"""The demo site as ``scripts/demo.sh`` makes it (digest --all, then build), read as a reader
does: the bills page, the redline pages of every NO FAKES version pair, the feed links on
each page, and no date after the moment the site was made."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from kb.site.build import build_site
from kb.store import open_db
from tests.test_redlines import NO_FAKES_PAIRS
from tests.test_site import site_in_chromium

_ISO = re.compile(r"\b(20\d\d)-([01]\d)-([0-3]\d)\b")
_LONG = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December) (\d{1,2}), (20\d\d)\b"
)
_MONTHS = "January February March April May June July August September October November December"


def dates_in(text: str) -> set[date]:
    found = set()
    for y, m, d in _ISO.findall(text):
        try:
            found.add(date(int(y), int(m), int(d)))
        except ValueError:  # digits that only look like a date (an id, a hash)
            continue
    for month, day, year in _LONG.findall(text):
        found.add(date(int(year), _MONTHS.split().index(month) + 1, int(day)))
    return found


@pytest.fixture(scope="module")
def demo_site(tagged_db_path, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    shutil.copy(tagged_db_path, tmp / "kb.db")
    digest = tmp / "digest"
    env = {**os.environ, "KB_DIGEST_DIR": str(digest), "KB_NO_PROGRESS": "1"}
    made = subprocess.run(
        [sys.executable, "-m", "kb", "--db", str(tmp / "kb.db"), "digest", "--all"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    out = tmp / "site"
    build_site(open_db(tmp / "kb.db"), out, tmp / "work", digest_dir=digest)
    return out, datetime.now(UTC).date()


@pytest.mark.slow
def test_redline_pages_for_every_no_fakes_pair_are_linked(demo_site):
    out, _ = demo_site
    for slug in NO_FAKES_PAIRS:
        assert (out / "bills" / slug / "index.html").is_file(), slug
    bill = (out / "bills" / "119-s-4591" / "index.html").read_text()
    family = (out / "bills" / "family-no-fakes-act" / "index.html").read_text()
    for slug in ("redline-119-s-1367-is-119-s-4591-is", "redline-119-s-4591-is-119-s-4591-rs"):
        assert f'href="../{slug}/"' in bill, slug
    for slug in NO_FAKES_PAIRS:
        assert f'href="../{slug}/"' in family, slug
    week = next((out / "digest").rglob("2026-w26/index.html")).read_text()
    assert "../../bills/redline-119-s-4591-is-119-s-4591-rs/" in week


@pytest.mark.slow
def test_every_feed_a_page_links_to_exists_and_no_date_is_in_the_future(demo_site):
    out, today = demo_site
    linked = set()
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        for href in re.findall(r'href="([^"]+\.(?:atom|rss))"', text):
            target = (page.parent / href).resolve()
            assert target.is_file(), (page, href)
            linked.add(target.relative_to(out.resolve()).as_posix())
        future = {d for d in dates_in(text) if d > today}
        assert not future, (page, future)
    assert {"feeds/family/no-fakes-act.atom", "feeds/issue/training_fair_use.atom"} <= linked
    assert "feeds/organization/sony-music.atom" in linked
    for feed in [out / "feed.atom", out / "feed.rss", *(out / "feeds").rglob("*.atom")]:
        future = {d for d in dates_in(feed.read_text()) if d > today}
        assert not future, (feed, future)


@pytest.mark.slow
def test_bills_page_reads_right_in_chromium(demo_site):
    out, _ = demo_site
    with site_in_chromium(out) as (browser, base):
        page = browser.new_page()
        page.goto(f"{base}/bills/", wait_until="networkidle")
        text = page.inner_text("article")
        assert "<li>" not in text and "&lt;" not in text
        assert "NO FAKES Act of 2026 (4 bills)" in text
        assert not re.search(r"\b1 bills\b", text)
        assert page.locator("article li a[href='family-no-fakes-act/']").count() == 1
        page.click("text=S. 4591 (119th) IS → S. 4591 (119th) RS")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/bills/redline-119-s-4591-is-119-s-4591-rs/")
        text = page.inner_text("article")
        assert "Redline: S. 4591 (119th) IS to S. 4591 (119th) RS" in text
        assert "BILLS-119s4591rs.xml" in text and "kb sync --source govinfo" in text
        page.goto(f"{base}/organizations/openai/", wait_until="networkidle")
        href = page.get_attribute(".kb-subscribe a", "href")
        assert href == "../../feeds/organization/openai.atom"
        feed = page.request.get(f"{base}/feeds/organization/openai.atom")
        assert feed.status == 200 and b"<feed" in feed.body()
