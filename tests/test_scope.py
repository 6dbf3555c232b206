"""Only what the watchlist tracks is published: the corpus's format samples, other
dockets and unrelated bills are imported but never reach the site, digest or downloads."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.importer import import_paths
from kb.site.scope import published, tracked
from kb.store import open_db
from kb.store.positions import stance_matrix
from kb.store.query import companions
from kb.watchlist import load_watchlist

SAMPLE_NAMES = (
    "Homeless Youth Menstrual Product Access Act",
    "FedRAMP Authorization Act",
    "Officer Eugene Goodman",
    "Feather River",
    "OCC-2020-0031",
    "USTR-2015-0010",
    "ATF-2021-0001",
    "BIS-2024-0047",
)


@pytest.fixture(scope="module")
def corpus_db(corpus, tmp_path_factory):
    """Every recorded source of the corpus, untagged."""
    path = tmp_path_factory.mktemp("scope") / "kb.db"
    db = open_db(path)
    folders = ["regulations.gov", "govinfo", "congress.gov-api-v3", "federalregister.gov", "news"]
    report = import_paths(db, [corpus / f for f in folders])
    assert not report.errors, report.errors[:3]
    return db


def test_scope_keeps_the_watchlist_and_nothing_else(corpus_db):
    scope = tracked(corpus_db, load_watchlist())
    assert scope.dockets == {"COLC-2023-0006"}
    assert set(scope.bills) == {"119-s-1367", "119-hr-2794", "119-s-4591", "119-hr-8915"}
    held = corpus_db.execute("select count(*) from documents").fetchone()[0]
    colc = corpus_db.execute(
        "select count(*) from documents where docket_id = 'COLC-2023-0006'"
    ).fetchone()[0]
    # The docket's documents, and the French press article (its feed's keywords match).
    assert scope.documents >= {"press-mbw-2023-12-sony-music-kooker-ai-insight-forum-fr"}
    assert len(scope.documents) == colc + 1
    assert len(scope.untracked["documents"]) == held - colc - 1
    assert "OCC-2020-0031" in scope.untracked["dockets"]
    assert "116-hr-5177" in scope.untracked["bills"]
    assert ("bill", "118-s-4875", "NO FAKES Act") in scope.not_synced


def test_published_copy_holds_no_untracked_row(corpus_db):
    db, scope = published(corpus_db, load_watchlist())
    dump = "\n".join(db.conn.iterdump())
    for name in SAMPLE_NAMES:
        assert name not in dump, name
    assert db.execute("select count(*) from documents").fetchone()[0] == len(scope.documents)
    fts = db.execute("select count(*) from documents_fts where documents_fts match 'cormorant'")
    assert fts.fetchone()[0] == 0  # the full-text index follows the deletions
    family = json.loads(db.execute("select bill_ids from families").fetchone()[0])
    assert sorted(family) == ["119-hr-2794", "119-hr-8915", "119-s-1367", "119-s-4591"]
    # The working database is untouched.
    assert corpus_db.execute("select count(*) from bills").fetchone()[0] == 11


def test_status_lists_untracked_and_not_synced(corpus_db):
    path = corpus_db.execute("pragma database_list").fetchone()[2]
    result = CliRunner().invoke(cli, ["--db", path, "status", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "OCC-2020-0031" in report["untracked"]["dockets"]
    assert "117-s-35" in report["untracked"]["bills"]
    assert {"kind": "bill", "id": "118-hr-9551", "name": "NO FAKES Act"} in report["not_synced"]
    assert "tracked)" in result.stderr


def test_companions_by_identical_link_and_by_shared_title(corpus_db):
    pairs = companions(corpus_db)
    assert pairs["119-s-4591"] == {"119-hr-8915"}  # CRS: "Identical bill"
    assert pairs["119-s-1367"] == {"119-hr-2794"}  # CRS: only "Related bill"; same title
    assert "119-hr-8915" not in pairs.get("119-s-1367", set())  # another Congress's version


def corpus_db_root(db):
    """The folder the corpus was imported from, as the importing machine names it."""
    path = next(r["archive_path"] for r in db.query("select archive_path from provenance"))
    return path.split("/regulations.gov/")[0] if "/regulations.gov/" in path else path


def test_downloads_hold_only_tracked_rows(corpus_db, tmp_path):
    from kb.site.downloads import write_downloads

    db, _ = published(corpus_db, load_watchlist())
    write_downloads(db, tmp_path)
    for name in ("documents.csv", "bills.csv", "organizations.csv", "kb.db"):
        data = (tmp_path / name).read_bytes()
        for sample in (*SAMPLE_NAMES, "American Bankers Association"):
            assert sample.encode() not in data, (name, sample)
    rows = list(csv.DictReader((tmp_path / "matrix-COLC-2023-0006.csv").open()))
    assert rows == [] or "training_fair_use" in rows[0]
    # Public tables only, and no place on the importing machine.
    shipped = open_db(tmp_path / "kb.db")
    assert not {"failures", "sync_state"} & set(shipped.table_names())
    data = (tmp_path / "kb.db").read_bytes()
    for local in {
        r["archive_path"] for r in corpus_db.query("select archive_path from attachments")
    }:
        if local:
            assert local.encode() not in data, local
    assert str(corpus_db_root(corpus_db)).encode() not in data


def test_matrix_cells_point_at_the_quote(tagged_db):
    rows = {r["organization_id"]: r for r in stance_matrix(tagged_db, "COLC-2023-0006")}
    assert len(rows) >= 40
    for row in rows.values():
        for issue in ("training_fair_use", "consent_required", "compensation"):
            if not row[issue]:
                continue
            doc = row[f"{issue}_document"]
            held = [
                r
                for r in tagged_db.query(
                    "select issue, stance, holder_id, quotes from positions where document_id = ? "
                    "order by document_id, issue, holder",
                    [doc],
                )
            ]
            # The anchor q{i}-0 is the i-th position of the filing page, this issue's.
            p = held[row[f"{issue}_position"]]
            assert (p["issue"], p["stance"], p["holder_id"]) == (
                issue,
                row[issue],
                row["organization_id"],
            )
            quotes = json.loads(p["quotes"])
            assert quotes and quotes[0]["text"] == row[f"{issue}_quote"]


def test_digest_weeks_come_from_tracked_records_only(corpus_db):
    from kb.digest.run import weeks_with_events

    everything = weeks_with_events(corpus_db)
    shown = weeks_with_events(published(corpus_db, load_watchlist())[0])
    assert any(str(w).startswith(("2006", "2015")) for w in everything)  # the samples' weeks
    assert shown and not any(str(w) < "2023" for w in shown)
