"""Pages that read right (issue 15), on a demo site built from a real subset of the
corpus (tests/demo_site.py) and read in headless Chromium as a reader sees them: the bills
list, the docket page and its paged list of every filing, campaign pages, the press
article, the "data as of" line, each filing's date and round, sizes, the 404 page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from kb.site.build_dockets import docket_filers
from tests.demo_site import DETAILED, JOINT, PREFIX, REPLIES, UNDATED, WGA, build_demo
from tests.test_site import site_in_chromium
from tests.test_site_digest import dates_in

#: A page size small enough that the demo's docket needs three pages.
SMALL_PAGES = 16


@pytest.fixture(scope="module")
def demo(corpus, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kb.site.build_dockets.PAGE_SIZE", SMALL_PAGES)
        db, out, _, _ = build_demo(corpus, tmp_path_factory.mktemp("pages"))
    with site_in_chromium(out) as (browser, base):
        page = browser.new_page()
        yield db, out, page, base


def article(page: Any, base: str, path: str) -> str:
    response = page.goto(f"{base}/{path}", wait_until="networkidle")
    assert response.status == 200, path
    return page.inner_text("article")


def test_docket_filers_are_each_listed_once_under_their_own_name():
    joint = {"org_ids": ["a2im", "ra", "riaa"], "org_name": "A2IM; RA; RIAA"}
    names = {"a2im": "A2IM", "ra": "Recording Academy", "riaa": "RIAA", "umg": "UMG"}
    rows = docket_filers([joint, {**joint}, {"org_ids": ["umg"]}, {"org_ids": []}], names)
    assert rows == [("a2im", "A2IM", 2), ("ra", "Recording Academy", 2), ("riaa", "RIAA", 2),
                    ("umg", "UMG", 1)]  # fmt: skip


@pytest.mark.slow
def test_bills_list_shows_no_markup_and_counts_in_good_english(demo):
    _, _, page, base = demo
    text = article(page, base, "bills/")
    assert "<li>" not in text and "&lt;" not in text and "</" not in text
    assert "(1 bill)" in text and "1 bills" not in text


@pytest.mark.slow
def test_docket_lists_each_filer_once_and_pages_every_filing(demo):
    db, _, page, base = demo
    text = article(page, base, "dockets/COLC-2023-0006/")
    rounds = dict(re.findall(r"^(initial|reply|round unknown)\t(\d+)$", text, re.M))
    assert rounds == {
        "initial": str(len(DETAILED) - 2),  # the detailed records, less the two notices
        "reply": str(len(REPLIES)),
        "round unknown": str(len(WGA) + len(UNDATED) + 1),  # + the undated joint filing
    }
    orgs = page.locator("h2:has-text('Organisations') + p + table tbody tr a")
    hrefs = [orgs.nth(i).get_attribute("href") for i in range(orgs.count())]
    names = orgs.all_inner_texts()
    assert hrefs and len(hrefs) == len(set(hrefs)) and len(names) == len(set(names))
    assert not any(";" in n for n in names)
    assert "Writers Guild of America letter" in text and "campaign-COLC" not in text
    expected = {r[0] for r in db.execute("select id from documents where docket_id = ?",
                                         ["COLC-2023-0006"])}  # fmt: skip
    pages = -(-len(expected) // SMALL_PAGES)
    assert pages == 3
    listed: list[str] = []
    rows: list[str] = []
    on_page: dict[str, int] = {}
    for n in range(1, pages + 1):
        article(page, base, f"dockets/COLC-2023-0006-filings-{n}/")
        links = page.locator("article table tbody tr td:nth-child(3) a").all_inner_texts()
        listed += links
        on_page.update(dict.fromkeys(links, n))
        rows += page.locator("article table tbody tr").all_inner_texts()
        assert page.locator(".kb-pages").first.locator("a").count() == pages - 1  # the others
    assert sorted(listed) == sorted(expected) and len(listed) == len(set(listed))
    order = [r.split("\t")[0] for r in rows]
    assert order == sorted(order, key=["notice", "initial", "reply", "round unknown"].index)
    assert f"{PREFIX}{REPLIES[0]}" in rows[order.index("reply")]
    joint = next(r for r in rows if f"{PREFIX}{JOINT}" in r)
    assert "American Association of Independent Music" in joint and "Trade association" in joint
    positioned = next(r for r in rows if f"{PREFIX}0010" in r)
    assert "Training is fair use: opposes" in positioned
    article(page, base, f"dockets/COLC-2023-0006-filings-{on_page[PREFIX + str(REPLIES[0])]}/")
    page.click(f"text={PREFIX}{REPLIES[0]}")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/filings/{PREFIX}{REPLIES[0]}/")


@pytest.mark.slow
def test_filing_pages_show_posting_date_and_round(demo):
    _, _, page, base = demo
    text = article(page, base, f"filings/{PREFIX}0005/")
    assert re.search(r"^Posted\t2023-10-31$", text, re.M)
    assert re.search(r"^Round\tinitial$", text, re.M)
    text = article(page, base, f"filings/{PREFIX}{REPLIES[0]}/")
    assert re.search(r"^Posted\tnot recorded$", text, re.M)
    assert re.search(r"^Round\treply$", text, re.M)
    text = article(page, base, f"filings/{PREFIX}{UNDATED[0]}/")
    assert re.search(r"^Round\tround unknown$", text, re.M)
    text = article(page, base, f"filings/{PREFIX}{WGA[0]}/")
    assert "Writers Guild of America letter, 19 signatories" in text


@pytest.mark.slow
def test_campaign_page_names_its_sponsor_and_shows_the_letter(demo):
    db, _, page, base = demo
    ((cid, size, template),) = db.execute("select id, size, template_document_id from campaigns")
    assert article(page, base, "campaigns/").count("Writers Guild of America letter") == 1
    text = article(page, base, f"campaigns/{cid}/")
    assert page.locator("article h1").inner_text() == "Writers Guild of America letter"
    letters, people = map(
        int, re.search(r"([\d,]+) letters from ([\d,]+) signatories", text).groups()
    )  # type: ignore[union-attr]
    assert letters == size and 2 <= people <= size
    letter = page.inner_text(".kb-template")
    body = db.execute("select text from documents where id = ?", [template]).fetchone()[0]
    assert " ".join(letter.split()) == " ".join(body.split())
    exact, n, edited = map(int, re.search(  # type: ignore[union-attr]
        r"(\d+) of the (\d+) letters are exact copies.*?; (\d+) are edited copies", text
    ).groups())  # fmt: skip
    assert n == size and exact + edited == size and exact > 0 and edited > 0
    example = page.locator("h3:has-text('Most edited copies') + table tbody tr").first
    assert re.search(r"\+\d+ / −\d+ words", example.inner_text())
    assert "Training is fair use: opposes" in text  # the template's positions
    assert page.locator("h2:has-text('Signatories') + table tbody tr").count() == size


@pytest.mark.slow
def test_press_article_shows_what_is_recorded_and_who_it_reports(demo):
    db, _, page, base = demo
    ((doc_id, title),) = db.execute("select id, title from documents where kind = 'press'")
    text = article(page, base, f"filings/{doc_id}/")
    fields = dict(re.findall(r"^(\w+)\t(.+)$", text, re.M))
    assert fields["Headline"] == title
    for name in ("Publisher", "Author", "Published", "Address"):
        assert fields[name] == "not recorded", name  # the text file records none of them
    assert fields["Language"] == "French (fr)"
    assert "Filed by" not in text and "Individual" not in text
    reported = page.locator("h2:has-text('Reported (not filers)') + table tbody tr")
    assert any("Sony Music Entertainment" in r for r in reported.all_inner_texts())


@pytest.mark.slow
def test_data_as_of_in_footer_home_and_digest(demo, tmp_path):
    db, _, page, base = demo
    today = datetime.now(UTC).date()
    for path in ("", "bills/", f"filings/{PREFIX}0005/", "dockets/COLC-2023-0006/"):
        page.goto(f"{base}/{path}", wait_until="networkidle")
        footer = page.inner_text("footer")
        assert "Data as of" in footer, path
        for source in ("regulations.gov", "govinfo", "press"):
            assert source in footer, (path, source)
        assert "newest record 2023-10-31" in footer  # the demo's newest posted comment
        assert all(d <= today for d in dates_in(footer))
    page.goto(f"{base}/", wait_until="networkidle")
    assert "Data as of" in page.inner_text("article .kb-freshness")
    env = {**os.environ, "KB_DIGEST_DIR": str(tmp_path), "KB_NO_PROGRESS": "1"}
    db_path = db.execute("pragma database_list").fetchone()[2]
    printed = subprocess.run(
        [sys.executable, "-m", "kb", "--db", db_path, "digest", "--week", "2023-W44", "--print"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert re.search(r"^Data as of .*regulations\.gov: .*newest record 2023-10-31", printed, re.M)


@pytest.mark.slow
def test_downloads_in_kilobytes_and_the_404_page(demo):
    _, out, page, base = demo
    text = article(page, base, "downloads/")
    assert "0.0 MB" not in text and " KB" in text
    response = page.goto(f"{base}/no/such/page/", wait_until="networkidle")
    assert response.status == 404
    assert response.body() == (out / "404.html").read_bytes()  # the site's own page
    assert "404" in page.inner_text("article") and "Data as of" in page.inner_text("footer")


ESCAPED_TAG = re.compile(r"&lt;/?(?:tr|td|th|h[1-6]|table|p|a|div|span|ul|li)\b")
#: Code, where a page may well show a tag ("kb --db <a tagged database> bench scale").
CODE = re.compile(r"<code\b.*?</code>", re.S)


def test_no_page_shows_its_own_markup_as_text(demo):
    """Markup joined to a plain string escapes the string: a page that printed "</tr>"
    after every row of the matrix, or the Accuracy page's reviews as raw tags. No page
    of the demo site holds an escaped tag, and the matrix and the review section read
    as tables."""
    _, out, page, base = demo
    bad = [
        str(p.relative_to(out))
        for p in out.rglob("*.html")
        if ESCAPED_TAG.search(CODE.sub("", p.read_text(encoding="utf-8")))
    ]
    assert bad == []
    text = article(page, base, "matrix/")
    assert "</tr>" not in text and page.locator("#kb-matrix tbody tr").count() > 0


def test_every_in_page_link_lands_on_an_element(demo):
    """Every "#…" link of every filing page names an id of that page: a passage that
    backs several positions is highlighted once and still anchors each of their "in
    context" links (a reader's audit found a third of them landing nowhere)."""
    _, out, _, _ = demo
    pages = sorted(out.glob("filings/*/index.html"))
    assert pages
    broken, links = [], 0
    for p in pages:
        html = p.read_text(encoding="utf-8")
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        for target in re.findall(r'href="#([^"]+)"', html):
            links += 1
            if target not in ids:
                broken.append((p.parent.name, target))
    assert links > 20 and broken == []


def test_every_link_to_an_organisation_lands_on_its_page(demo):
    """Every link of the demo site to an organisation's page leads to one: an
    organisation a reply names gets a page (who rebuts or cites it) even when it filed
    nothing (a reader's audit found links to the Copyright Office's, YouTube's,
    Midjourney's and the RIAA's pages, none of which existed); a joint filing is a
    filing of each of its filers (A2IM and the RIAA)."""
    _, out, _, _ = demo
    broken, links = set(), 0
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#?]*organizations/[^"#?]+)', html):
            links += 1
            target = (page.parent / href).resolve()
            if not (target / "index.html").is_file():
                broken.add((str(page.relative_to(out)), href))
    assert links > 20 and sorted(broken) == []
    # The navigation's Questions section is a page even with no Notice questions.
    assert "questions/index.md" not in (out / "index.html").read_text(encoding="utf-8")
    riaa = (out / "organizations" / "riaa" / "index.html").read_text(encoding="utf-8")
    assert f"{PREFIX}{JOINT}" in riaa


def test_a_filing_whose_files_are_missing_says_why_it_has_no_position(demo):
    """ "See attached file(s)" with the file not held is not "no position found": the
    page says that the files are missing and that only the text shown was read."""
    _, out, _, _ = demo
    pages = [p.read_text(encoding="utf-8") for p in out.glob("filings/*/index.html")]
    missing = [h for h in pages if "file not in this knowledge base" in h]
    without = [
        section
        for html in missing
        if "kb-positions" not in (section := html.split("<h2>Positions</h2>")[1].split("<h2>")[0])
    ]
    assert without
    for section in without:
        assert "attached file" in section and "not in this knowledge base" in section
