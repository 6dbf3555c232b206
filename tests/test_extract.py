"""Text extraction on the recorded attachment files."""

from __future__ import annotations

import io

import pytest

from kb.errors import ExtractionError
from kb.extract import extract_text


def test_all_recorded_pdfs_extract_with_pages(colc):
    pdfs = sorted((colc / "attachments").glob("*/*.pdf"))
    assert len(pdfs) == 17
    for path in pdfs:
        result = extract_text(path.read_bytes(), "pdf", item=path.name)
        assert result.pages and len(result.pages) >= 7
        assert result.pages[0][0] == 0 and result.pages[-1][1] == len(result.text)
        for (s1, e1), (s2, _) in zip(result.pages, result.pages[1:], strict=False):
            assert s1 <= e1 < s2
        assert "\r" not in result.text


def test_anthropic_first_page_is_its_cover(colc):
    path = next((colc / "attachments/COLC-2023-0006-9021").glob("*.pdf"))
    result = extract_text(path.read_bytes(), "pdf", item="9021")
    start, end = result.pages[0]
    assert "Anthropic PBC" in result.text[start:end]


def test_txt_and_html(corpus, colc):
    for path in sorted((colc / "attachments").glob("*/*.txt")):
        assert extract_text(path.read_bytes(), "txt", item=path.name).text
    htm = (
        corpus
        / "regulations.gov/format-samples/USTR-2015-0010/documents/USTR-2015-0010-0001_content.htm"
    )
    result = extract_text(htm.read_bytes(), "htm", item="htm")
    assert "China" in result.text and "<" not in result.text[:200]


def test_bad_files(colc):
    real = next((colc / "attachments/COLC-2023-0006-9021").glob("*.pdf")).read_bytes()
    with pytest.raises(ExtractionError, match="empty file"):
        extract_text(b"", "pdf", item="empty")
    with pytest.raises(ExtractionError, match="corrupt PDF"):
        extract_text(real[: len(real) // 3][:2000], "pdf", item="cut")
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(real)))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(ExtractionError, match="encrypted"):
        extract_text(buf.getvalue(), "pdf", item="locked")
    with pytest.raises(ExtractionError, match="image"):
        extract_text(b"\x89PNG", "png", item="img")
