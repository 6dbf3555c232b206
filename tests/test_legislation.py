"""Bills, Federal Register and press: parsers on every recorded file, the bill
model, families, redlines, and the import acceptance."""

from __future__ import annotations

import json

import pytest

from kb.errors import ParseError
from kb.importer import import_paths
from kb.legislation import derive_status, redline
from kb.records import BillStatus
from kb.store import open_db
from kb.store.query import bill_text_pairs, export_bills
from scrapers.congress_gov import parse as congress
from scrapers.federal_register import parse as fr
from scrapers.govinfo.parse import parse_bill_text, parse_billstatus

NO_FAKES = ("119-s-1367", "119-hr-2794", "119-s-4591", "119-hr-8915")


def test_every_billstatus_file_parses_in_each_layout(corpus):
    files = sorted((corpus / "govinfo").rglob("BILLSTATUS-*.xml"))
    assert len(files) == 11
    ranks = set()
    for path in files:
        bill = parse_billstatus(path.read_bytes(), item=path.name)
        assert bill.sponsor and bill.actions and bill.introduced, path.name
        ranks.add(bill.layout_rank)
    assert ranks == {0, 1, 3}  # legacy, 1.0.0, 3.0.0


def test_escaped_cdata_wrapper_does_not_leak(corpus):
    bill = parse_billstatus(
        (corpus / "govinfo/BILLSTATUS/BILLSTATUS-119hr2794.xml").read_bytes(), item="x"
    )
    assert bill.id == "119-hr-2794" and bill.short_title == "NO FAKES Act of 2025"
    assert all("<pre>" not in a.text for a in bill.actions)


def test_s4591_reported_with_calendar_number(corpus):
    bill = parse_billstatus(
        (corpus / "govinfo/BILLSTATUS/BILLSTATUS-119s4591.xml").read_bytes(), item="x"
    )
    status, date = derive_status(bill.actions, bill.introduced)
    assert (status, date) == (BillStatus.REPORTED, "2026-06-24")
    assert "Calendar No. 446" in bill.latest_action.text
    assert [v.code for v in bill.text_versions] == ["is", "rs"]
    assert ("119-hr-8915", "Identical bill") in {(r.id, r.relationship) for r in bill.related}


def test_bill_text_formats(corpus):
    root = corpus / "govinfo/BILLS"
    seen = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            fmt = "html" if path.suffix == ".html" else "xml"
            text = parse_bill_text(path.read_bytes(), item=path.name, fmt=fmt)
            assert text.bill_id and text.version_code and len(text.text) > 500
            seen[path.name] = text
    amended = seen["BILLS-118s1325rs.xml"]
    assert amended.text_before_amendment and amended.text_before_amendment != amended.text


def test_congress_gov_bundle(corpus):
    bundle = congress.BillBundle("117-hr-21")
    for path in sorted((corpus / "congress.gov-api-v3").glob("bill_117_hr_21*.json")):
        doc = congress.load(path.read_bytes(), item=path.name)
        kind = congress.classify(doc)
        if kind != "amendments":
            bundle.add(kind, doc)
    bill = congress.parse_bundle(bundle, item="x")
    assert bill.short_title == "FedRAMP Authorization Act"
    assert derive_status(bill.actions, bill.introduced)[0] is BillStatus.PASSED_HOUSE
    assert len(bill.cosponsors) == 2 and bill.cosponsors[0].date
    assert {v.code for v in bill.text_versions} == {"ih", "eh", "rfs"}


def test_congress_gov_list_pages(corpus):
    for name in ("bill.json", "bill_117.json", "bill_117_hr.json"):
        doc = congress.load((corpus / "congress.gov-api-v3" / name).read_bytes(), item=name)
        bills, next_url = congress.parse_bill_list(doc, item=name)
        assert bills and next_url and "offset=20" in next_url


def test_federal_register(corpus):
    doc = fr.load((corpus / "federalregister.gov/regulatory-document.json").read_bytes(), item="x")
    parsed = fr.parse_document(doc, item="x")
    assert parsed.record.id == "fr-2024-31396" and parsed.record.posted_at == "2024-12-31T00:00:00Z"
    assert [d for d in parsed.docket_ids if fr.is_regulations_docket(d)] == [
        "EPA-R09-OAR-2023-0649"
    ]
    page = fr.parse_search(
        fr.load(
            (corpus / "federalregister.gov/search-newest-page-one.json").read_bytes(), item="y"
        ),
        item="y",
    )
    assert page.count == 10000 and page.next_page_url


def test_xml_bomb_and_malformed_xml_refused(corpus):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<billStatus><bill><number>&lol3;</number></bill></billStatus>"
    )
    with pytest.raises(ParseError, match="unsafe XML refused"):
        parse_billstatus(bomb, item="bomb")
    real = (corpus / "govinfo/BILLSTATUS/BILLSTATUS-119s4591.xml").read_bytes()
    with pytest.raises(ParseError, match="malformed XML"):
        parse_billstatus(real[: len(real) // 2], item="cut")


def test_redline_marks_insertions_and_deletions():
    diff = redline("the Act shall <apply> to voice", "the Act shall apply to voice and likeness")
    assert "<del>&lt;apply&gt;</del>" in diff.html and "<ins>" in diff.html
    assert diff.inserted == 3 and diff.deleted == 1


@pytest.fixture(scope="module")
def legislation_db(corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("leg") / "kb.db"
    db = open_db(path)
    report = import_paths(
        db,
        [
            corpus / "govinfo",
            corpus / "congress.gov-api-v3",
            corpus / "federalregister.gov",
            corpus / "news",
        ],
    )
    assert not report.errors, report.errors
    return db


def test_import_acceptance_no_fakes(legislation_db):
    bills = {b["id"]: b for b in export_bills(legislation_db)}
    for bid in NO_FAKES:
        bill = bills[bid]
        assert bill["sponsor"]["name"].startswith(("Sen. Coons", "Rep. Salazar"))
        assert bill["cosponsors"] and all(c["date"] for c in bill["cosponsors"])
        assert bill["family"] == "no-fakes-act"
        assert bill["latest_action"]["date"] and bill["text_versions"]
    s4591 = bills["119-s-4591"]
    assert s4591["status"] == "reported" and s4591["status_date"] == "2026-06-24"
    assert s4591["latest_action"] == {
        "date": "2026-06-24",
        "text": "Placed on Senate Legislative Calendar under General Orders. Calendar No. 446.",
    }
    assert "119-hr-8915" in s4591["related_bills"]
    assert s4591["companions"] == ["119-hr-8915"] and bills["119-hr-8915"]["companions"] == [
        "119-s-4591"
    ]
    assert len(s4591["cosponsors"]) == 15
    family = legislation_db["families"].get("no-fakes-act")
    assert set(json.loads(family["bill_ids"])) == set(NO_FAKES)


def test_reimport_is_idempotent(legislation_db, corpus):
    events = legislation_db["events"].count
    report = import_paths(
        legislation_db,
        [
            corpus / "govinfo",
            corpus / "congress.gov-api-v3",
            corpus / "federalregister.gov",
            corpus / "news",
        ],
    )
    assert report.bills == 0 and report.documents.created == 0
    assert legislation_db["events"].count == events


def test_french_article_imports_as_french(legislation_db):
    doc = legislation_db.execute(
        "select language, kind, title from documents where id like 'press-%'"
    ).fetchone()
    assert doc[0] == "fr" and doc[1] == "press" and doc[2].startswith("Sony Music")


def test_bill_events_carry_upstream_dates(legislation_db):
    rows = legislation_db.execute(
        "select event, upstream_date, summary from events where record_id = '119-s-4591' order by upstream_date"
    ).fetchall()
    assert ("bill_introduced", "2026-05-20") in {(r[0], r[1]) for r in rows}
    assert any(r[1] == "2026-06-24" and "Calendar No. 446" in r[2] for r in rows)


def test_stored_redline_for_committee_substitute(legislation_db):
    pairs = bill_text_pairs(legislation_db, "118-s-1325")
    assert pairs
    diff = redline(pairs[0][2], pairs[0][3])
    assert diff.inserted > 0 and diff.deleted > 0
