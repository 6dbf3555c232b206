"""The ``kb`` command through its real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner
from sqlite_utils import Database

from kb.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        out.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            out.extend(all_commands(command, f"{prefix}{name} "))
    return out


def test_every_command_has_help_and_is_documented():
    readme = README.read_text()
    for name, command in all_commands(cli):
        assert command.help, f"kb {name} has no help"
        result = CliRunner().invoke(cli, [*name.split(), "--help"])
        assert result.exit_code == 0
        assert f"`kb {name}" in readme, f"kb {name} is not in the README"


def test_usage_error_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["export", "nonsense"])
    assert result.exit_code == 2
    result = CliRunner().invoke(cli, ["import"])
    assert result.exit_code == 2


def test_missing_path_is_an_item_error(tmp_path):
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "k.db"), "import", str(tmp_path / "nope.json")]
    )
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_import_search_export_through_entry_point(tmp_path, colc):
    db = str(tmp_path / "k.db")
    run = [sys.executable, "-m", "kb", "--db", db]
    proc = subprocess.run(
        [*run, "import", str(colc / "documents"), str(colc / "notices")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stderr.strip()
        .splitlines()[-1]
        .startswith("kb import: 501 files: 499 documents created")
    )
    proc = subprocess.run(
        [*run, "search", "voice actor"], capture_output=True, text=True, check=True
    )
    assert "COLC-2023-0006-" in proc.stdout and "[voice]" in proc.stdout.lower()
    assert proc.stderr.strip().splitlines()[-1].startswith("kb search:")
    proc = subprocess.run(
        [*run, "export", "documents", "--with-text"], capture_output=True, text=True, check=True
    )
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 499
    keys = {
        "id",
        "source",
        "kind",
        "docket_id",
        "title",
        "organization",
        "submitter",
        "category",
        "language",
        "posted_at",
        "url",
        "campaign_id",
        "text",
        "pages",
    }
    assert set(rows[0]) == keys
    noi = next(r for r in rows if r["id"] == "COLC-2023-0006-0001")
    assert noi["kind"] == "notice" and noi["pages"] and len(noi["pages"]) == 8
    start, end = noi["pages"][0]
    assert "Copyright Office" in noi["text"][start:end]
    proc = subprocess.run(
        [*run, "export", "documents", "--format", "csv"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.splitlines()[0].startswith("id,source,kind,docket_id")


def test_search_finds_voice_cloning(imported_db_path):
    result = CliRunner().invoke(
        cli, ["--db", str(imported_db_path), "search", "voice cloning", "--json"]
    )
    hits = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(hits) == 20
    assert all("clon" in h["snippet"].lower() or "voice" in h["snippet"].lower() for h in hits)


def test_search_finds_the_no_fakes_bills_first(tmp_path, corpus):
    from kb.importer import import_paths
    from kb.store import open_db

    db = open_db(tmp_path / "kb.db")
    import_paths(db, [corpus / "congress.gov-api-v3", corpus / "govinfo"])
    want = {r[0] for r in db.execute("select id from bills where short_title like 'NO FAKES%'")}
    assert want
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "kb.db"), "search", "NO FAKES", "--json"]
    )
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert {h["id"] for h in hits[: len(want)]} == want
    assert all(h["kind"] == "bill" for h in hits[: len(want)])
    phrase = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "kb.db"), "search", '"fakes act"', "--json"]
    )
    assert {json.loads(x)["id"] for x in phrase.output.splitlines() if x.startswith("{")} >= want


def test_kb_search_reads_prefixes_variants_and_phrases_as_the_site_does(imported_db_path):
    """A word no document holds is a prefix ("licens" finds what FTS5's licens* finds), a
    British spelling finds the American one too, a phrase stays a phrase."""
    from kb.store.query import fts_query, search

    db = Database(imported_db_path)

    def ids(fts: str) -> set[str]:
        sql = (
            "select d.id from documents_fts join documents d on d.rowid = documents_fts.rowid "
            "where documents_fts match ?"
        )
        return {r[0] for r in db.execute(sql, [fts])}

    assert fts_query(db, "licens") == fts_query(db, "licens*") == '"licens"*'
    assert fts_query(db, '"fair use" opt-out') == '"fair use" AND "opt-out"'
    found = {h["id"] for h in search(db, "licens", limit=100_000)}
    assert found == ids("licens*") and len(found) > len(ids("license")) > 0
    assert ids("licence") < {h["id"] for h in search(db, "licence", limit=100_000)}
    assert ids("license") <= {h["id"] for h in search(db, "licence", limit=100_000)}
    assert search(db, "copyrigth") == []
