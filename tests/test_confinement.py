"""Confined and bounded input: ids checked before they become paths, links and special
files refused, a file of no known type never read, sizes bounded.

Every hostile input is a recorded real record, mutated in the test.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from kb.errors import KbError
from kb.importer import import_paths
from kb.site.publish import confined
from kb.store import open_db

ESCAPE = "../../escaped"


def _sub(src: Path, dst: Path, old: str, new: str) -> None:
    text = src.read_text(encoding="utf-8")
    assert old in text, (src, old)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text.replace(old, new, 1), encoding="utf-8")


def _mutate_json(src: Path, dst: Path, change) -> None:
    doc = json.loads(src.read_text(encoding="utf-8"))
    change(doc)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(doc), encoding="utf-8")


def _hostile_ids(corpus: Path, root: Path) -> dict[str, Path]:
    """One file per id-bearing source, its id made a path out of the folder."""
    regs = corpus / "regulations.gov"
    colc = regs / "COLC-2023-0006"
    made = {
        "regulations.gov detail": root / "regs" / "documents" / "COLC-2023-0006-0006.json",
        "regulations.gov docket": root / "regs" / "OCC-2020-0031.json",
        "federalregister.gov": root / "fr" / "regulatory-document.json",
        "govinfo BILLSTATUS": root / "govinfo" / "BILLSTATUS-119s4591.xml",
        "congress.gov": root / "congress" / "bill_117_hr_21.json",
    }
    _mutate_json(
        colc / "documents" / "COLC-2023-0006-0006.json",
        made["regulations.gov detail"],
        lambda d: d["data"].update(id=ESCAPE),
    )
    _mutate_json(
        regs / "format-samples" / "OCC-2020-0031" / "OCC-2020-0031.json",
        made["regulations.gov docket"],
        lambda d: d["data"].update(id=ESCAPE),
    )
    _sub(
        corpus / "federalregister.gov" / "regulatory-document.json",
        made["federalregister.gov"],
        '"document_number":"2024-31396"',
        f'"document_number":"{ESCAPE}"',
    )
    _sub(
        corpus / "govinfo" / "BILLSTATUS" / "BILLSTATUS-119s4591.xml",
        made["govinfo BILLSTATUS"],
        "<congress>119</congress>",
        "<congress>CXIX</congress>",
    )
    _sub(
        corpus / "congress.gov-api-v3" / "bill_117_hr_21.json",
        made["congress.gov"],
        '"number": "21"',
        f'"number": "{ESCAPE}"',
    )
    return made


def test_ids_are_checked_before_they_become_paths(tmp_path, corpus):
    made = _hostile_ids(corpus, tmp_path / "in")
    jsonl = tmp_path / "in" / "regs" / "comment-text.jsonl"
    jsonl.write_text(json.dumps({"id": ESCAPE, "comment": "text"}) + "\n", encoding="utf-8")
    db = open_db(tmp_path / "kb.db")
    report = import_paths(db, [tmp_path / "in"])
    errors = "\n".join(str(e) for e in report.errors)
    for source, path in made.items():
        assert str(path) in errors or path.name in errors, (source, errors)
    assert f"{jsonl}:1" in errors
    for table in ("documents", "dockets", "bills"):
        bad = list(db.query(f"select id from {table} where id glob '*[^A-Za-z0-9._-]*'"))
        assert bad == [], (table, bad)
    assert "Traceback" not in errors


def test_a_page_path_never_leaves_the_site(tmp_path):
    assert confined(tmp_path, "filings/COLC-2023-0006-0006.md") == (
        tmp_path / "filings" / "COLC-2023-0006-0006.md"
    )
    for rel in (f"filings/{ESCAPE}.md", "/etc/passwd", "filings/../../x.md", "a\0b.md", ".."):
        with pytest.raises(KbError, match="unsafe path"):
            confined(tmp_path, rel)


def test_links_and_special_files_are_refused(tmp_path, colc, corpus):
    folder = tmp_path / "in"
    (folder / "documents").mkdir(parents=True)
    shutil.copy(colc / "documents" / "COLC-2023-0006-0006.json", folder / "documents")
    att = folder / "attachments" / "COLC-2023-0006-0006"
    att.mkdir(parents=True)
    secret = corpus / "govinfo" / "SOURCES.md"
    (att / "linked.txt").symlink_to(secret)
    os.mkfifo(att / "pipe.txt")
    os.mkfifo(folder / "never-read.bin")  # reading it would block: it must be skipped unread
    db = open_db(tmp_path / "kb.db")
    report = import_paths(db, [folder])
    errors = {e.item: str(e) for e in report.errors}
    assert "symbolic link: refused" in errors["COLC-2023-0006-0006/linked.txt"]
    assert "not a regular file" in errors["COLC-2023-0006-0006/pipe.txt"]
    assert (str(folder / "never-read.bin"), "not a format kb import reads") in report.skipped
    held = db.execute("select group_concat(text, ' ') from documents").fetchone()[0] or ""
    line = next(x for x in secret.read_text().splitlines() if len(x.strip()) > 30)
    assert line.strip() not in held
    assert db.execute("select count(*) from attachments where status = 'ok'").fetchone()[0] == 0


def test_a_file_over_the_size_bound_is_refused_unread(tmp_path, colc, monkeypatch):
    monkeypatch.setenv("KB_MAX_FILE_MB", "1")
    folder = tmp_path / "in"
    folder.mkdir()
    big = folder / "comment-text.jsonl.gz"
    shutil.copy(colc / "comment-text.jsonl.gz", big)
    assert big.stat().st_size > 1024 * 1024
    report = import_paths(open_db(tmp_path / "kb.db"), [folder])
    assert [str(e) for e in report.errors] == [
        f"{big}: {big.stat().st_size // (1024 * 1024)} MB is more than the 1 MB a file may "
        "have (raise $KB_MAX_FILE_MB to allow it)"
    ]


def test_a_file_name_that_is_not_utf8_is_refused_by_name(tmp_path, colc):
    folder = tmp_path / "in" / "documents"
    folder.mkdir(parents=True)
    real = (colc / "documents" / "COLC-2023-0006-0005.json").read_bytes()
    raw = os.fsencode(folder) + b"/COLC-2023-0006-0005\xff.json"
    with open(raw, "wb") as out:
        out.write(real)
    shutil.copy(colc / "documents" / "COLC-2023-0006-0006.json", folder)
    db = open_db(tmp_path / "kb.db")
    report = import_paths(db, [tmp_path / "in"])
    assert [str(e) for e in report.errors] == [
        f"{folder}/COLC-2023-0006-0005\\udcff.json: file name is not UTF-8: refused (rename the file)"
    ]
    assert [r["id"] for r in db.query("select id from documents")] == ["COLC-2023-0006-0006"]
    assert db.execute("select count(*) from failures").fetchone()[0] == 1
