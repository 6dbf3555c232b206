"""Redlines on the real GovInfo files: which version pairs a family has (NO FAKES 2025 →
2026 introduced → reported), the section-by-section redline, its pages, and ``kb redline``."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest

from kb.importer import import_paths
from kb.redlines import section_redline, split_sections
from kb.render.bills import render_bill_index
from kb.render.redlines import render_redline
from kb.store import open_db
from kb.store.query import export_bills
from kb.store.versions import load_pairs

NO_FAKES_BILLS = ("119-s-1367", "119-s-4591", "119-hr-2794", "119-hr-8915")
NO_FAKES_PAIRS = {
    "redline-119-s-1367-is-119-s-4591-is",
    "redline-119-s-4591-is-119-s-4591-rs",
    "redline-119-hr-2794-ih-119-hr-8915-ih",
}


@pytest.fixture(scope="module")
def bills_db(corpus, tmp_path_factory):
    """Every recorded BILLSTATUS and BILLS file imported (read-only use)."""
    path = tmp_path_factory.mktemp("redlines") / "kb.db"
    db = open_db(path)
    report = import_paths(db, [corpus / "govinfo"])
    assert not report.errors, report.errors
    return db, path


def kb(path, *args):
    return subprocess.run(
        [sys.executable, "-m", "kb", "--db", str(path), *args], capture_output=True, text=True
    )


def test_no_fakes_lineage_pairs_every_consecutive_version(bills_db):
    db, _ = bills_db
    pairs = {p.slug: p for p in load_pairs(db)}
    family = {s for s, p in pairs.items() if {p.before.bill, p.after.bill} <= set(NO_FAKES_BILLS)}
    assert family == NO_FAKES_PAIRS
    reported = pairs["redline-119-s-4591-is-119-s-4591-rs"]
    assert (reported.before.date, reported.after.date) == ("2026-05-20", "2026-06-24")
    assert (reported.after.url or "").endswith("BILLS-119s4591rs.xml")
    # The corpus records the bills' status, not their texts: each pair says what is missing.
    assert all(pairs[s].missing for s in NO_FAKES_PAIRS)


def test_kb_redline_names_each_missing_text_and_where_to_get_it(bills_db):
    _, path = bills_db
    out = kb(path, "redline", "119-s-4591")
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    for version, url in (
        ("S. 1367 (119th) IS", "BILLS-119s1367is.xml"),
        ("S. 4591 (119th) IS", "BILLS-119s4591is.xml"),
        ("S. 4591 (119th) RS", "BILLS-119s4591rs.xml"),
    ):
        assert re.search(rf"{re.escape(version)} .*not stored.*{url}", out.stderr), version
    assert out.stderr.strip().splitlines()[-1] == (
        "kb redline: 0 of 2 redlines for 119-s-4591; 2 wait for a text not stored"
    )
    family = kb(path, "redline", "--summary", "no-fakes-act")
    assert family.returncode == 1 and "0 of 3 redlines for no-fakes-act" in family.stderr
    unknown = kb(path, "redline", "119-s-9999")
    assert unknown.returncode == 2 and "119-s-9999" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_committee_substitute_redline_section_by_section(bills_db):
    db, path = bills_db
    (pair,) = [p for p in load_pairs(db) if p.slug == "redline-118-s-1325-rs-amendment"]
    assert pair.before.text and pair.after.text
    diff = section_redline(pair.before.text, pair.after.text)
    added = [c.after.number for c in diff.of("added") if c.after]
    assert added == ["7", "8", "10"]
    assert "Sec. 3. PROMOTING SECURITY AND THE RULE OF LAW IN THE WESTERN HEMISPHERE" in [
        c.label for c in diff.of("changed")
    ]
    assert diff.of("unchanged") and not diff.of("removed")
    # Each side is rebuilt exactly from the redline: nothing dropped, nothing invented.
    marked = "".join(c.diff.html for c in diff.changes if c.diff)
    after = html.unescape(re.sub(r"<del>.*?</del>|</?ins>", "", marked, flags=re.S))
    before = html.unescape(re.sub(r"<ins>.*?</ins>|</?del>", "", marked, flags=re.S))
    assert after == pair.after.text and before == pair.before.text
    out = kb(path, "redline", "118-s-1325")
    assert out.returncode == 0, out.stderr
    assert "### Sec. 7. INVESTMENT, TRADE, AND DEVELOPMENT" in out.stdout
    assert "(added, +809 / -0 words)" in out.stdout and "{+" in out.stdout
    assert out.stderr.strip().endswith("kb redline: 1 of 1 redlines for 118-s-1325")


def test_sections_of_a_real_bill_text(bills_db):
    db, _ = bills_db
    text = db.execute("select text from documents where id = 'bill-118-s-1325-rs'").fetchone()[0]
    sections = split_sections(text)
    assert sections[0].number == "" and "A BILL" in sections[0].text
    assert [s.number for s in sections[1:4]] == ["1", "2", "3"]
    assert sections[1].heading == "SHORT TITLE"
    assert "".join(s.text for s in sections) == text


def test_redline_pages_say_what_changed_or_what_is_missing(bills_db):
    db, _ = bills_db
    pairs = {p.slug: p for p in load_pairs(db)}
    missing = render_redline(pairs["redline-119-s-4591-is-119-s-4591-rs"], None, {"119-s-4591"})
    assert "Redline: S. 4591 (119th) IS to S. 4591 (119th) RS" in missing
    assert (
        "https://www.govinfo.gov/content/pkg/BILLS-119s4591rs/xml/BILLS-119s4591rs.xml" in missing
    )
    assert 'href="../119-s-4591/"' in missing
    pair = pairs["redline-118-s-1325-rs-amendment"]
    assert pair.before.text and pair.after.text
    page = render_redline(pair, section_redline(pair.before.text, pair.after.text), set())
    assert "<strong>Sections added:</strong>" in page and "<ins>" in page and "<del>" in page
    assert 'href="../118-s-1325/"' not in page  # no bill page to link to


def test_bill_index_markup_and_plurals(bills_db):
    db, _ = bills_db
    bills = list(export_bills(db))
    sizes: dict[str, int] = {}
    for b in bills:
        sizes[b["family"]] = sizes.get(b["family"], 0) + 1
    families = [{"id": f, "name": f, "n": n} for f, n in sizes.items()]
    page = render_bill_index(families, bills, (load_pairs(db), {}))
    assert "&lt;" not in page
    assert "(4 bills)</li>" in page and "(1 bill)</li>" in page and "(1 bills)" not in page
    assert 'href="redline-119-s-4591-is-119-s-4591-rs/"' in page
