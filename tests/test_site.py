"""``kb build``: pages from real records, hostile text rendered inert, the built site in Chromium."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from kb.importer import import_paths
from kb.render.markup import esc, plain_title, safe_url
from kb.site.build import build_site
from kb.store import open_db
from nlp.tag import tag_documents

HOSTILE = (
    '<script>document.title="pwned"</script> <img src=x onerror="document.title=\'pwned\'"> '
    "[click me](javascript:document.title='pwned') <a href=\"javascript:alert(1)\">x</a> "
    "**bold** `code` {{ config }} {% raw %} <iframe src=//evil.example></iframe> "
    "Training AI on my art without consent is theft and not fair use."
)


def hostile_record(colc: Path, tmp: Path) -> Path:
    """A real recorded comment whose submitter fields and text are replaced by attacks."""
    record = json.loads((colc / "documents" / "COLC-2023-0006-0004.json").read_text())
    attrs = record["data"]["attributes"]
    # The API's comment field is HTML: real tags, and what a commenter typed, entity-escaped.
    attrs["comment"] = HOSTILE + "<br/>" + htmllib.escape(HOSTILE)
    attrs["title"] = 'Comment from <script>alert("t")</script>'
    attrs["organization"] = '<b onmouseover="alert(1)">Evil & Co</b>'
    record["data"]["id"] = "COLC-2023-0006-0004"
    path = tmp / "hostile" / "COLC-2023-0006-0004.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record))
    return path


@pytest.fixture(scope="module")
def small_site(colc, tmp_path_factory):
    """A site from ten real comments, the hostile one, and the Notice of Inquiry with its PDF."""
    tmp = tmp_path_factory.mktemp("site")
    docs = tmp / "documents"
    docs.mkdir()
    for n in (1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14):
        shutil.copy(colc / "documents" / f"COLC-2023-0006-{n:04d}.json", docs)
    db = open_db(tmp / "kb.db")
    report = import_paths(
        db, [docs, hostile_record(colc, tmp), colc / "notices" / "COLC-2023-0006-0001.pdf"]
    )
    assert not report.errors
    tag_documents(db, None)
    out = tmp / "site"
    build = build_site(db, out, tmp / "work")
    return db, out, tmp / "work", build


def test_markup_helpers():
    assert str(esc('<a href="x">')) == "&lt;a href=&#34;x&#34;&gt;"
    assert safe_url("javascript:alert(1)") is None
    assert (
        safe_url("https://www.regulations.gov/comment/X") == "https://www.regulations.gov/comment/X"
    )
    assert plain_title('<script>alert("t")</script> & co') == "script alert( t ) /script co"


def test_small_site_builds_strict_with_search_index(small_site):
    _, out, _, build = small_site
    assert (out / "index.html").is_file()
    manifest = json.loads((out / "search" / "idx" / "manifest.json").read_text())
    assert manifest["units"] == build.search.units > 12
    assert (out / "search" / "index.html").is_file()
    assert (out / "data" / "positions.jsonl").is_file()
    assert (out / "data" / "kb.db").stat().st_size > 0
    assert build.pages > 20


def test_hostile_text_is_inert_in_every_page(small_site):
    _, out, _, _ = small_site
    page = (out / "filings" / "COLC-2023-0006-0004" / "index.html").read_text()
    assert "&lt;script&gt;document.title" in page  # shown, as text
    for needle in (
        "<script>document.title",
        "<img src=x",
        'href="javascript:',
        "<iframe",
        "<b onmouseover",
    ):
        for html in out.rglob("*.html"):
            assert needle not in html.read_text(), (needle, html)
    assert "**bold**" in page  # Markdown was not interpreted either


def test_pages_from_real_records(small_site):
    _, out, work, _ = small_site
    notice = (work / "site-src" / "filings" / "COLC-2023-0006-0001.md").read_text()
    assert "Notice of Inquiry" in notice or "notice" in notice
    assert 'class="kb-page" id="page-2"' in notice  # page markers of the PDF
    comment = (work / "site-src" / "filings" / "COLC-2023-0006-0005.md").read_text()
    assert '<mark id="q' in comment  # its quote highlighted in the full text
    issue = (out / "issues" / "training_fair_use" / "index.html").read_text()
    assert "<svg" in issue and "COLC-2023-0006-0005" in issue
    # Nothing is loaded from another host.
    for html in out.rglob("*.html"):
        text = html.read_text()
        assert "fonts.googleapis" not in text and "cdn.jsdelivr" not in text, html


@contextmanager
def site_in_chromium(out: Path) -> Iterator[tuple[Any, str]]:
    """The built site served on loopback, and a headless Chromium to open it: (browser, base URL)."""
    from kb.site.browser import chromium
    from kb.site.serve import start_server

    server = start_server(out)
    try:
        with chromium() as browser:
            yield browser, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def search(page: Any, base: str, query: str) -> int:
    """Open the search page, type ``query`` and return the result count once it shows."""
    page.goto(f"{base}/search/", wait_until="networkidle")
    page.fill("#kb-search input[name=q]", query)
    return finished(page)


def finished(page: Any) -> int:
    """The result count of the search that has just run (the status says when it is done)."""
    page.wait_for_function(
        "document.querySelector('#kb-status').dataset.state === 'done'", timeout=30_000
    )
    page.wait_for_load_state("networkidle")
    return int(page.get_attribute("#kb-status", "data-count") or -1)


@pytest.mark.slow
def test_hostile_site_runs_no_script_in_chromium(small_site):
    _, out, _, _ = small_site
    dialogs: list[str] = []
    with site_in_chromium(out) as (browser, base):
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/filings/COLC-2023-0006-0004/", wait_until="networkidle")
        page.mouse.move(200, 300)
        assert page.title() != "pwned"
        assert "document.title" in page.inner_text(".kb-fulltext")
        assert (
            page.locator(".kb-fulltext script, .kb-fulltext img, .kb-fulltext iframe").count() == 0
        )
        # The search results show the hostile heading and passage as text too.
        assert search(page, base, "pwned onerror") >= 1
        result = page.locator(".kb-result:has(a[href$='/filings/COLC-2023-0006-0004/'])")
        assert "Evil & Co" in result.inner_text()
        assert "document.title" in result.locator(".kb-result-snippet").inner_text()
        assert page.locator(".kb-result").locator("script, img, iframe, b").count() == 0
        page.mouse.move(300, 400)
        assert page.title() != "pwned"
    assert dialogs == []


@pytest.mark.slow
def test_full_site_in_chromium(tagged_db_path, tmp_path):
    """The whole recorded corpus: build, search, apply a facet, open a filing and an organisation."""
    shutil.copy(tagged_db_path, tmp_path / "kb.db")
    db = open_db(tmp_path / "kb.db")
    out = tmp_path / "site"
    build_site(db, out, tmp_path / "work")
    errors: list[str] = []
    with site_in_chromium(out) as (browser, base):
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        everything = search(page, base, "opt-out")
        assert everything > 100 and page.locator(".kb-result").count() == 10
        # "opt-out" is the phrase of its parts (as in SQLite FTS5): "opt-out" or "opt out"
        assert page.inner_text(".kb-result mark >> nth=0").lower() in ("opt-out", "opt", "optout")
        page.click("label:has-text('Trade association')")
        narrowed = finished(page)
        assert 0 < narrowed < everything
        assert "f=Category%3ATrade+association" in page.url  # the facet is in the URL
        page.select_option("#kb-search select[name=sort]", "desc")
        assert finished(page) == narrowed
        page.click(".kb-result-link >> nth=0")
        page.wait_for_load_state("networkidle")
        assert "/filings/" in page.url
        assert "Trade association" in page.inner_text("article")
        page.goto(f"{base}/organizations/universal-music-group/", wait_until="networkidle")
        text = page.inner_text("article")
        assert "Training is fair use" in text and "COLC-2023-0006-10331" in text
        page.goto(f"{base}/filings/COLC-2023-0006-9014/", wait_until="networkidle")
        assert page.locator(".kb-fulltext mark").count() >= 3
        assert page.locator("#page-25").count() == 1
        # One person's comment filed twice is told apart from the form letters.
        page.goto(f"{base}/campaigns/", wait_until="networkidle")
        again = page.locator("h2:has-text('filed more than once') + p + table")
        assert "Carlos Tello de Meneses Vega" in again.inner_text()
        letters = page.locator("article table >> nth=0").inner_text()
        assert "Writers Guild" in letters and "Tello de Meneses" not in letters
        check_matrix(page, base)
        page.goto(f"{base}/bills/119-s-1367/", wait_until="networkidle")
        page.click("text=H.R. 2794 (119th) >> nth=0")  # the companion, linked
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/bills/119-hr-2794/")
        assert "S. 1367 (119th)" in page.inner_text("article")
        page.goto(f"{base}/bills/family-no-fakes-act/", wait_until="networkidle")
        assert page.inner_text("article").count("watched, not yet synced") == 2
        check_one_rule(page, base, db, out)
        check_questions_and_replies(page, base, db)
    assert errors == []
    assert_nothing_untracked(out)
    assert_every_titled_filer_named(db, out)


def assert_every_titled_filer_named(db: Any, out: Path) -> None:
    """Every organisation a comment title names has its page (aliases merged), and no
    filing whose title names its filer (person, organisation or "Anonymous") is shown as
    an unidentified commenter."""
    titled = db.execute(
        "select id, filer_type, org_ids from documents where filer_type is not null"
    ).fetchall()
    named = {o for _, kind, ids in titled if kind == "organization" for o in json.loads(ids)}
    assert len(named) > 250  # the titles name about 275 organisations before merging
    assert all((out / "organizations" / o / "index.html").is_file() for o in named)
    unnamed = [
        doc_id
        for doc_id, _, _ in titled
        if "Unidentified commenter"
        in (out / "filings" / doc_id / "index.html").read_text(encoding="utf-8")
    ]
    assert unnamed == []


def check_questions_and_replies(page: Any, base: str, db: Any) -> None:
    """Question pages list the filings that answer, filterable by category; filing pages
    say which questions they answer and whom they reply to; the docket draws the graph."""
    answered = {
        r[0] for r in db.execute("select distinct document_id from answers where question = '8'")
    }
    page.goto(f"{base}/questions/8/", wait_until="networkidle")
    assert "Under what circumstances would the unauthorized use" in page.inner_text("article")
    rows = page.locator("#kb-filter-table tbody tr")
    assert rows.count() == len(answered) >= 10
    page.select_option("#kb-filter-category", "Trade association")
    shown = page.locator("#kb-filter-table tbody tr:not([hidden])").count()
    assert 0 < shown < len(answered)
    assert page.inner_text("#kb-filter-count") == f"{shown} answers"
    # Each answer links to its passage in the filing (a text fragment of its first words).
    href = page.get_attribute("#kb-filter-table tbody tr:not([hidden]) a >> nth=0", "href")
    assert href and "/filings/COLC-2023-0006-" in href and "#:~:text=" in href
    # Every such fragment is words of one line of the filing, spaced as there (a fragment
    # never matches across the line breaks, nor over the runs of spaces, the filing page
    # shows), its dashes percent-encoded.
    hrefs = page.eval_on_selector_all(
        "#kb-filter-table tbody tr a[href*=':~:text=']", "els => els.map(e => e.href)"
    )
    assert len(hrefs) >= len(answered)
    for link in hrefs:
        doc_id = link.split("/filings/")[1].split("/")[0]
        fragment = link.split(":~:text=")[1]
        assert "-" not in fragment, link
        (text,) = db.execute("select text from documents where id = ?", [doc_id]).fetchone()
        lines = text.split("\n")  # spaces as the page keeps them (white-space: pre-wrap)
        for part in fragment.split(","):  # a start, perhaps an end
            assert any(unquote(part) in line for line in lines), link
    page.goto(f"{base}/questions/", wait_until="networkidle")
    assert "Transparency & Recordkeeping" in page.inner_text("article")
    page.goto(f"{base}/filings/COLC-2023-0006-9021/", wait_until="networkidle")
    text = page.inner_text("article")
    assert "Answers to the Notice's questions" in text and "own numbering" in text
    page.goto(f"{base}/filings/COLC-2023-0006-10331/", wait_until="networkidle")
    assert "Replies to" in page.inner_text("article")
    assert page.locator("a[href*='organizations/openai']").count() >= 1
    page.goto(f"{base}/filings/COLC-2023-0006-8906/", wait_until="networkidle")
    assert "Replied to by" in page.inner_text("article")
    page.goto(f"{base}/dockets/COLC-2023-0006/", wait_until="networkidle")
    assert page.locator("svg.kb-graph line").count() >= 10
    assert page.locator("svg.kb-graph a").count() >= 10
    # Both columns of names span the picture (the named ones were crammed into its top),
    # each a name, not an id; the page says how often "rebuts" / "agrees" is right.
    height = float((page.get_attribute("svg.kb-graph", "viewBox") or "").split()[3])
    for side in ("start", "end"):
        ys = page.eval_on_selector_all(
            f"svg.kb-graph text[text-anchor='{side}']", "els => els.map(e => +e.getAttribute('y'))"
        )
        assert len(ys) >= 5 and max(ys) - min(ys) > 0.6 * height, side
    names = page.eval_on_selector_all(
        "svg.kb-graph text title", "els => els.map(e => e.textContent)"
    )
    assert len(names) >= 10
    assert [n for n in names if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", n)] == []
    assert "read the sentence before relying on it" in page.inner_text("article")


def check_one_rule(page: Any, base: str, db: Any, out: Path) -> None:
    """A query finds the same filings on the site, in ``kb search`` and in the FTS table
    Datasette searches (the site adds the bills and organisation pages that match), except
    where the site folds British spellings in (more) or keeps a codebook word apart (fewer).
    A misspelt word gets a correction; a hyphenated word is the phrase of its parts."""
    from kb.search.query import Index
    from kb.store.query import search as kb_search

    index = Index(out / "search" / "idx")
    urls = index.urls()
    published = {u.split("/")[1] for u in urls if u.startswith("filings/")}

    def three(query: str) -> tuple[set[str], set[str], set[str]]:
        ranked = index.search(query)
        assert search(page, base, query) == len(ranked) > 0, query
        site = {urls[n].split("/")[1] for n in ranked if urls[n].startswith("filings/")}
        fts = {
            r[0]
            for r in db.execute(
                "select d.id from documents_fts join documents d on d.rowid = documents_fts.rowid"
                " where documents_fts match ?",
                [db.quote_fts(query)],
            )
        }
        cli = {h["id"] for h in kb_search(db, query, limit=100_000) if h["kind"] != "bill"}
        return site, fts & published, cli & published

    for query in (
        '"fair use"',
        "fair use",
        "opt-out",
        '"voice actors"',
        "NO FAKES",
        "training data",
    ):
        site, fts, cli = three(query)
        assert site == fts == cli, query
    site, fts, cli = three("licensing")  # the site also finds "licence", "licences"
    assert site > fts == cli
    site, fts, cli = three("voice likeness")  # FTS5's Porter stem of "likeness" is "like"
    assert site < fts == cli
    # A part of a word is a prefix on the site and in kb search alike (FTS5 also finds
    # "licencing" for licens*: its stem "licen*" reaches it).
    # "transparen" is no word of the index: its words (transparency, transparent,
    # transparently) share one stem, so it finds what "transparency" finds; "licens" also
    # reaches words of other stems ("licensor", "licensee") that "license" does not.
    for part, whole in (("licens", "license"), ("transparen", "transparency")):
        site, _, cli = three(part)
        assert site <= cli and len(cli - site) <= 0.01 * len(cli), part
        assert site >= three(whole)[0], part
    assert len(three("licens")[0]) > len(three("license")[0])
    assert search(page, base, "copyrigth") == 0
    page.wait_for_selector("#kb-didyoumean:not([hidden])")
    assert page.get_attribute("#kb-didyoumean", "data-query") == "copyright"
    # "EFF" is the organisation, not the start of "effing".
    assert search(page, base, "EFF") >= 1
    assert "effing" not in page.inner_text("#kb-results").lower()


SAMPLE_NAMES = (
    "Homeless Youth Menstrual Product Access Act",
    "FedRAMP Authorization Act",
    "Officer Eugene Goodman",
    "American Bankers Association",
    "American Iron and Steel Institute",
    "Feather River",
    "OCC-2020-0031",
    "USTR-2015-0010",
    "ATF-2021-0001",
    "BIS-2024-0047",
)


def assert_nothing_untracked(out: Path) -> None:
    """No page, feed entry, download row or search file names a format sample."""
    import gzip

    for path in out.rglob("*"):
        if not path.is_file() or path.name == "kb.db":
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        for name in SAMPLE_NAMES:
            assert name.encode() not in data, (path, name)
    assert not list(out.glob("digest/2006/**/*.html")) and not list(out.glob("digest/2015/**/*"))


def check_matrix(page: Any, base: str) -> None:
    """The who-supports-what matrix: filter by category, sort by an issue, follow a cell."""
    page.goto(f"{base}/matrix/", wait_until="networkidle")
    rows = page.locator("#kb-matrix tbody tr")
    total = rows.count()
    assert total > 40
    page.select_option("#kb-matrix-category", "AI developer")
    shown = page.locator("#kb-matrix tbody tr:not([hidden])")
    assert 0 < shown.count() < total
    assert all(c == "AI developer" for c in shown.locator("td:nth-child(2)").all_inner_texts())
    page.click("#kb-matrix th[data-col='3']")  # training and fair use
    stances = [s for s in shown.locator("td:nth-child(4)").all_inner_texts() if s.strip()]
    order = {"supports": 0, "mixed": 1, "opposes": 2}
    ranks = [order[s.split()[0]] for s in stances]
    assert ranks == sorted(ranks) and ranks
    cell = shown.locator("td:nth-child(4) a.stance >> nth=0")
    quote = cell.get_attribute("title")
    cell.click()
    page.wait_for_load_state("networkidle")
    assert "/filings/" in page.url and "#q" in page.url
    anchor = page.url.split("#")[1]
    assert page.locator(f"mark[id='{anchor}']").count() == 1
    assert quote and quote[:40] in " ".join(page.inner_text("article").split())


def test_provenance_never_shows_a_local_path(imported_db, corpus):
    from kb.render.filings import public_source

    shown = {str(public_source(r[0])) for r in imported_db.execute("select url from provenance")}
    assert shown and not any(str(corpus.resolve()) in s or "file:" in s for s in shown)
    assert "recorded copy: regulations.gov/COLC-2023-0006/comment-text.jsonl.gz" in shown


def test_filing_pages_list_every_attachment_title(imported_db):
    """The titles list every attachment, also those whose file the corpus does not hold."""
    from kb.render.filings import NOT_HELD, attachment_rows
    from kb.store import site_query as q

    docs, held = q.documents(imported_db), q.attachments(imported_db)
    meta = attachment_rows(
        docs["COLC-2023-0006-9027"]["listed_attachments"], held["COLC-2023-0006-9027"]
    )
    assert meta == [
        [
            "Meta Initial Comments USCO NOI AI and Copyright",
            "Meta Initial Comments USCO NOI AI and Copyright .pdf",
            "pdf",
            22,
            "ok",
        ]
    ]
    rows = [
        r
        for d in docs.values()
        for r in attachment_rows(d["listed_attachments"], held.get(d["id"], []))
    ]
    listed = sum(len(d["listed_attachments"]) for d in docs.values())
    assert len(rows) >= listed > 800
    assert sum(r[1] == NOT_HELD for r in rows) > 800
