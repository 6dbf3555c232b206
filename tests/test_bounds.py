"""Bounded input: decompression bombs (real records, repeated) are refused with the
setting that raises the bound, cheaply, and the rest of the batch goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest

from kb.errors import ExtractionError
from kb.extract import extract_text
from kb.importer import import_paths
from kb.store import open_db
from tests.bombs import docx_bomb, gzip_bomb, pdf_bomb

DOC = "COLC-2023-0006-0006"


def _folder(tmp_path: Path, colc: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "documents").mkdir(parents=True)
    shutil.copy(colc / "documents" / f"{DOC}.json", folder / "documents")
    (folder / "attachments" / DOC).mkdir(parents=True)
    return folder


def test_gzip_bomb_is_refused_and_the_batch_goes_on(tmp_path, colc, corpus, monkeypatch):
    monkeypatch.setenv("KB_MAX_DECOMPRESSED_MB", "8")
    folder = _folder(tmp_path, colc)
    bomb = folder / "comment-text.jsonl.gz"
    gzip_bomb(bomb, 64, corpus)
    db = open_db(tmp_path / "kb.db")
    report = import_paths(db, [folder])
    assert [str(e) for e in report.errors] == [
        f"{bomb}: decompresses to more than 8 MB (raise $KB_MAX_DECOMPRESSED_MB to allow it)"
    ]
    assert [r["id"] for r in db.query("select id from documents")] == [DOC]


@pytest.mark.parametrize(
    ("fmt", "make", "setting", "reason"),
    [
        ("docx", docx_bomb, "KB_MAX_DOCX_MB", "DOCX expands to 16 MB, more than 4 MB"),
        ("pdf", pdf_bomb, "KB_MAX_PDF_STREAM_MB", "PDF page content inflates to more than 4 MB"),
    ],
)
def test_attachment_bombs_are_refused(
    tmp_path, colc, corpus, monkeypatch, fmt, make, setting, reason
):
    folder = _folder(tmp_path, colc)
    bomb = folder / "attachments" / DOC / f"bomb.{fmt}"
    make(bomb, 16, corpus)
    monkeypatch.setenv(setting, "4")
    db = open_db(tmp_path / "kb.db")
    report = import_paths(db, [folder])
    assert [str(e) for e in report.errors] == [
        f"{DOC}/bomb.{fmt}: {reason} (raise ${setting} to allow it)"
    ]
    row = db.execute(
        "select status, error from attachments where document_id = ?", [DOC]
    ).fetchall()
    assert ("failed", f"{reason} (raise ${setting} to allow it)") in row
    failure = db.execute("select stage, error from failures").fetchone()
    assert failure[0] == "extract" and reason in failure[1]


@pytest.mark.parametrize(("fmt", "make"), [("docx", docx_bomb), ("pdf", pdf_bomb)])
def test_the_same_file_under_the_bound_is_read(tmp_path, corpus, fmt, make):
    bomb = tmp_path / f"small.{fmt}"
    make(bomb, 1, corpus)
    assert extract_text(bomb.read_bytes(), fmt, item=bomb.name).text.strip()


def test_page_count_bound(tmp_path, colc, monkeypatch):
    real = next(
        p
        for p in sorted((colc / "attachments").rglob("*.pdf"))
        if len(pypdf.PdfReader(p).pages) > 3
    )
    monkeypatch.setenv("KB_MAX_PAGES", "3")
    with pytest.raises(ExtractionError, match=r"more than 3 \(raise \$KB_MAX_PAGES\)"):
        extract_text(real.read_bytes(), "pdf", item="x")
    monkeypatch.delenv("KB_MAX_PAGES")
    assert extract_text(real.read_bytes(), "pdf", item="x").pages
