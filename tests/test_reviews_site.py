"""The built site obeys reviews: a disputed position is gone from every output (pages,
matrix, charts, downloads, search facets, digest), a reviewed one shows its state, and
every position has a "suggest a correction" link (in Chromium). Built from the corpus's
French press article, tagged for real."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.importer import import_paths
from kb.site.build import build_site
from kb.store import open_db
from kb.watchlist import load_watchlist
from nlp.tag import tag_documents
from tests.test_reviews import DOC, SONY_FAIR_USE
from tests.test_site import site_in_chromium

FORM = "https://example.org/kb/issues/new?template=position-correction.yml"


@pytest.fixture(scope="module")
def reviewed_site(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The press article tagged, three of its positions reviewed (both "supports" on
    training_fair_use disputed away, UMG's corrected to mixed, Sony's verified), built."""
    tmp = tmp_path_factory.mktemp("reviewed-site")
    path = tmp / "kb.db"
    db = open_db(path)
    assert not import_paths(db, [corpus / "news"]).errors
    tag_documents(db, load_watchlist())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KB_REVIEWS", str(tmp / "reviews"))
        mp.setenv("KB_CORRECTION_URL", FORM)
        base = ["--db", str(path), "review", "set", DOC, "--reviewer", "t", "--date", "2026-12-04"]
        for args in (
            ["--holder", "anthropic", "--verdict", "disputed", "--stance", "none"],
            ["--holder", "stability-ai", "--verdict", "disputed", "--stance", "none"],
            ["--holder", "universal-music-group", "--verdict", "disputed", "--stance", "mixed"],
            ["--holder", "sony-music", "--verdict", "verified", "--quote", SONY_FAIR_USE],
        ):
            result = CliRunner().invoke(cli, [*base, "--issue", "training_fair_use", *args])
            assert result.exit_code == 0, result.output
        out = tmp / "site"
        build_site(db, out, tmp / "work")
        yield db, out, tmp


def site_text(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_disputed_position_is_absent_from_every_output(reviewed_site):
    db, out, tmp = reviewed_site
    # Pages: no organisation page for holders left with no position, none on the issue page.
    assert not (out / "organizations" / "anthropic").exists()
    assert not (out / "organizations" / "stability-ai").exists()
    issue_page = site_text(out, "issues/training_fair_use/index.html")
    assert "organizations/anthropic/" not in issue_page
    assert "organizations/stability-ai/" not in issue_page
    filing = site_text(out, f"filings/{DOC}/index.html")
    assert "holder Anthropic" not in filing and "holder Stability AI" not in filing
    assert "holder Universal Music Group" in filing
    # Charts (issue page and home): the stance shares count no "supports" any more.
    assert "<title>supports:" not in issue_page
    assert "<title>mixed: 1</title>" in issue_page and "<title>opposes: 1</title>" in issue_page
    home = site_text(out, "index.html")
    fair_use_chart = home.split('aria-label="Training is fair use">')[1].split("</svg>")[0]
    assert "<title>mixed: 1</title>" in fair_use_chart and "supports" not in fair_use_chart
    # Downloads: JSON lines, CSV, the matrix and the SQLite database.
    rows = [json.loads(line) for line in site_text(out, "data/positions.jsonl").splitlines()]
    fair_use = {r["holder"]: r for r in rows if r["issue"] == "training_fair_use"}
    assert set(fair_use) == {"Universal Music Group", "Sony Music Entertainment"}
    assert fair_use["Universal Music Group"]["stance"] == "mixed"
    assert fair_use["Universal Music Group"]["review_state"] == "corrected"
    assert fair_use["Sony Music Entertainment"]["review_state"] == "verified"
    assert "Anthropic" not in site_text(out, "data/positions.csv")
    assert "Anthropic" not in site_text(out, "data/matrix.csv")
    with sqlite3.connect(out / "data" / "kb.db") as conn:
        held = conn.execute("select holder from positions where issue = 'training_fair_use'")
        assert {r[0] for r in held} == set(fair_use)
        assert conn.execute("select count(*) from reviews").fetchone()[0] == 4
    # Search facets: the filing no longer carries a "supports" on training_fair_use.
    from kb.search.units import STANCE_BITS, units_from_db
    from kb.site.scope import published

    shown, _ = published(db, load_watchlist())
    (unit,) = [u for u in units_from_db(shown) if u.key == DOC]
    assert not unit.stances["training_fair_use"] & STANCE_BITS["supports"]
    assert unit.stances["training_fair_use"] & STANCE_BITS["mixed"]
    assert "organizations/anthropic/" not in {u.url for u in units_from_db(shown)}
    # The Accuracy page counts what people read.
    accuracy = site_text(out, "about/accuracy/index.html")
    assert "4 machine positions have been reviewed" in accuracy
    assert "1 verified as they were, 1 corrected to another stance, 2 removed" in accuracy
    html = (out / "about/accuracy/index.html").read_text(encoding="utf-8")
    assert (
        "<h2>Positions read by a person</h2>" in html
        and "&lt;" not in html.split("Positions read")[1]
    )
    # The digest of the review week reports the verified and corrected ones only.
    result = CliRunner().invoke(
        cli, ["--db", str(tmp / "kb.db"), "digest", "--week", "2026-W49", "--print"],
        env={"KB_REVIEWS": str(tmp / "reviews")},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "## Positions reviewed" in result.stdout
    assert (
        "Universal Music Group** on Training is fair use, corrected: opposes → mixed"
        in result.stdout
    )
    assert "Anthropic" not in result.stdout and "Stability" not in result.stdout


@pytest.mark.slow
def test_organisation_page_shows_review_state_and_correction_link_in_chromium(reviewed_site):
    _, out, _ = reviewed_site
    with site_in_chromium(out) as (browser, base):
        page = browser.new_page()
        page.goto(f"{base}/organizations/sony-music/", wait_until="networkidle")
        verified = page.locator(".kb-review-verified")
        assert verified.count() == 1 and verified.inner_text() == "verified 2026-12-04"
        machine = page.locator(".kb-review-machine")
        assert machine.count() >= 3 and "machine · confidence" in machine.first.inner_text()
        links = page.locator("a.kb-correct")
        assert links.count() == verified.count() + machine.count()
        assert links.first.inner_text() == "suggest a correction"
        href = links.first.get_attribute("href") or ""
        assert href.startswith(FORM + "&")
        fields = parse_qs(urlsplit(href).query)
        assert fields["document"] == [DOC] and fields["holder"] == ["Sony Music Entertainment"]
        page.goto(f"{base}/organizations/universal-music-group/", wait_until="networkidle")
        corrected = page.locator(".kb-review-corrected")
        assert corrected.inner_text() == "corrected 2026-12-04"
        row = page.locator("tr:has(.kb-review-corrected)")
        assert "mixed" in row.inner_text()
