"""regulations.gov parsers on the real recorded files."""

from __future__ import annotations

import gzip
import json

import pytest

from kb.errors import ParseError
from kb.records import RICH_DETAIL, Kind
from scrapers.regulations_gov import parse


def test_every_recorded_colc_detail_parses(colc):
    files = sorted((colc / "documents").glob("*.json"))
    assert len(files) == 499
    records = [parse.parse_detail(f.read_bytes(), item=f.name) for f in files]
    kinds = {r.kind for r in records}
    assert kinds == {Kind.NOTICE, Kind.COMMENT}
    assert all(r.richness == RICH_DETAIL and r.docket_id == "COLC-2023-0006" for r in records)
    assert all(r.posted_at and r.posted_at.endswith("Z") for r in records)
    noi = records[0]
    assert noi.id == "COLC-2023-0006-0001" and noi.fr_doc_num == "2023-18624"
    assert noi.comment_end == "2023-12-07T04:59:59Z"
    assert [a.url for a in noi.attachments] == [
        "https://downloads.regulations.gov/COLC-2023-0006-0001/content.pdf"
    ]
    with_files = [r for r in records if r.kind is Kind.COMMENT and r.attachments]
    # 9 carry included attachments; 0253 has only a PNG (no text format).
    assert len(with_files) == 8
    assert {a.format for r in with_files for a in r.attachments} == {"pdf", "docx"}


def test_comment_html_becomes_plain_text(colc):
    record = parse.parse_detail(
        (colc / "documents/COLC-2023-0006-0005.json").read_bytes(), item="x"
    )
    assert "it's very difficult" in record.body
    assert "<br/>" not in record.body and "&#39;" not in record.body
    assert record.submitter == "Marharyta Sheremetieva"
    assert record.title == "Comment from Sheremetieva, Marharyta"


def test_comment_text_export_lines(colc):
    with gzip.open(colc / "comment-text.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    results = list(parse.parse_comment_text_lines(iter(lines), item="comment-text"))
    assert not [r for r in results if isinstance(r, ParseError)]
    assert len(results) == 10368
    assert results[0].id == "COLC-2023-0006-0003"
    # U+2028 and other line separators inside comments are not record breaks
    assert all(r.id.startswith("COLC-2023-0006-") for r in results)


def test_comment_endpoint_sample_with_comment_on(corpus):
    samples = corpus / "regulations.gov/format-samples"
    record = parse.parse_detail(
        (samples / "USTR-2015-0010/comments/USTR-2015-0010-0003.json").read_bytes(), item="x"
    )
    assert record.comment_on_document_id == "USTR-2015-0010-0001"
    assert record.organization == "American Insurance Association"
    assert record.duplicate_comments == 0


def test_occ_samples_and_duplicates(corpus):
    samples = corpus / "regulations.gov/format-samples/OCC-2020-0031"
    for path in sorted(samples.glob("OCC-2020-0031-*.json")):
        record = parse.parse_detail(path.read_bytes(), item=path.name)
        assert record.docket_id == "OCC-2020-0031"


def test_docket_bodies(corpus):
    samples = corpus / "regulations.gov/format-samples"
    # This recorded body (a document, despite its folder) has raw control
    # characters inside a string.
    notice = parse.parse_detail(
        (samples / "USTR-2015-0010/dockets/USTR-2015-0010.json").read_bytes(), item="x"
    )
    assert notice.id == "USTR-2015-0010-0001" and notice.kind is Kind.NOTICE
    docket = parse.parse_docket((samples / "docket-mcp/get_docket_bis.json").read_bytes(), item="x")
    assert docket.id.startswith("BIS-") and docket.title
    listed = parse.parse_docket_list(
        (samples / "docket-mcp/search_dockets_ai.json").read_bytes(), item="x"
    )
    assert "COLC-2023-0006" in {d.id for d in listed}
    page = parse.parse_list_page(
        (samples / "docket-mcp/list_documents_bis.json").read_bytes(), item="x"
    )
    assert page.records[0].id == "BIS-2024-0047-0001" and page.records[0].kind is Kind.RULE


def test_error_and_malformed_bodies(corpus):
    samples = corpus / "regulations.gov/format-samples"
    with pytest.raises(ParseError, match="404"):
        parse.parse_detail((samples / "docket-mcp/docket_not_found.json").read_bytes(), item="nf")
    good = json.loads(
        (corpus / "regulations.gov/COLC-2023-0006/documents/COLC-2023-0006-0005.json").read_text()
    )
    del good["data"]["id"]
    with pytest.raises(ParseError, match="missing or malformed id"):
        parse.parse_detail(json.dumps(good), item="no-id")
    with pytest.raises(ParseError, match="invalid JSON"):
        parse.parse_detail(b'{"data": {"id": "COLC', item="cut")


def test_unsafe_attachment_name_is_reported_not_used(colc):
    body = json.loads((colc / "documents/COLC-2023-0006-0006.json").read_text())
    body["included"][0]["attributes"]["title"] = "../../x"
    problems: list[ParseError] = []
    record = parse.parse_detail(json.dumps(body), item="evil", problems=problems)
    assert record.attachments == ()
    assert len(problems) == 1 and "unsafe attachment name" in str(problems[0])
