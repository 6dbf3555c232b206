"""Comment titles: who filed each comment, read from the recorded titles file."""

from __future__ import annotations

import gzip
import json

import pytest

from kb.importer import import_paths
from scrapers.regulations_gov.titles import FilerType, parse_comment_title_lines, parse_filer_title


@pytest.fixture(scope="module")
def title_lines(colc):
    with gzip.open(colc / "comment-titles.jsonl.gz", "rt", encoding="utf-8") as fh:
        return fh.read().split("\n")


def _by_id(title_lines):
    return {r.id: r for r in parse_comment_title_lines(iter(title_lines), item="titles")}


def test_every_line_of_the_recorded_file_parses(title_lines):
    results = list(parse_comment_title_lines(iter(title_lines), item="titles"))
    assert all(not isinstance(r, Exception) for r in results)
    assert len(results) == 10368
    types = {t: sum(1 for r in results if r.filer and r.filer.type is t) for t in FilerType}
    # Three shapes, and nothing else: every "Comment from" title names a filer.
    assert sum(types.values()) == sum(1 for r in results if r.title.startswith("Comment from "))
    assert types[FilerType.ANONYMOUS] > 2000 and types[FilerType.PERSON] > 7000
    assert sum(len(r.attachment_titles) for r in results) == 874


def test_people_organisations_and_anonymous_told_apart(title_lines):
    recs = _by_id(title_lines)
    # Read from the recorded titles, not written here: pick one of each shape.
    bmi = next(r for r in recs.values() if r.title.endswith("Broadcast Music, Inc."))
    assert bmi.filer.type is FilerType.ORGANIZATION
    assert bmi.filer.display == "Broadcast Music, Inc."
    kirill = recs["COLC-2023-0006-0004"]
    assert kirill.title == "Comment from Dmitruk, Kirill"
    assert kirill.filer.type is FilerType.PERSON and kirill.filer.display == "Kirill Dmitruk"
    anon = next(r for r in recs.values() if r.title == "Comment from Anonymous")
    assert anon.filer.type is FilerType.ANONYMOUS
    joint = recs["COLC-2023-0006-8833"]
    assert joint.filer.type is FilerType.ORGANIZATION and "RIAA" in joint.filer.display
    assert recs["COLC-2023-0006-0001"].filer is None  # the Notice is not a comment


@pytest.mark.parametrize(
    ("title", "kind", "display"),
    [
        ("Comment from Hewitt, Ph.D., Mark", FilerType.PERSON, "Mark Hewitt, Ph.D."),
        ("Comment from Superframe, llc", FilerType.ORGANIZATION, "Superframe, llc"),
        ("Comment from Lawton , Roz", FilerType.PERSON, "Roz Lawton"),
        ("Comment from OpenAI", FilerType.ORGANIZATION, "OpenAI"),
        ("Artificial Intelligence and Copyright", None, None),
    ],
)
def test_title_shapes(title, kind, display):
    filer = parse_filer_title(title)
    assert (filer.type if filer else None) is kind
    assert (filer.display if filer else None) == display


def test_import_fills_filers_without_overriding_details(imported_db, colc, title_lines):
    db = imported_db
    filed = {r.id for r in _by_id(title_lines).values() if r.filer}
    named = {
        r[0]
        for r in db.execute(
            "select id from documents where docket_id = 'COLC-2023-0006' and kind = 'comment' "
            "and submitter is not null"
        )
    }
    comments = {r[0] for r in db.execute("select id from documents where kind = 'comment'")}
    assert named == filed & comments and len(named) > 10350
    assert db.execute("select count(*) from failures").fetchone()[0] == 0
    # A detail response's own fields stay (richer wins); the title fills in the rest.
    with open(colc / "documents/COLC-2023-0006-0100.json", encoding="utf-8") as fh:
        attrs = json.load(fh)["data"]["attributes"]
    row = db["documents"].get("COLC-2023-0006-0100")
    assert (row["first_name"], row["last_name"]) == (attrs["firstName"], attrs["lastName"])
    assert row["filer_type"] == "person" and row["richness"] == 3
    notice = db["documents"].get("COLC-2023-0006-0001")
    assert notice["kind"] == "notice" and notice["filer_type"] is None
    anthropic = db["documents"].get("COLC-2023-0006-9021")
    assert anthropic["filer_type"] == "organization"
    assert json.loads(anthropic["listed_attachments"])


def test_titles_alone_create_comments_and_bad_lines_are_reported(tmp_path, title_lines, db):
    good = [ln for ln in title_lines if ln.strip()][2:12]
    path = tmp_path / "titles.jsonl"
    path.write_text("\n".join([*good[:5], '{"id": "COLC-2023-0006-0099", "title": 7}', *good[5:]]))
    report = import_paths(db, [path])
    assert report.documents.created == 10
    assert len(report.errors) == 1 and "title is not a non-empty string" in str(report.errors[0])
    assert "COLC-2023-0006-0099" in str(report.errors[0])


def test_an_alias_inside_a_longer_name_is_not_that_organisation(imported_db):
    """The Library Copyright Alliance (8452) is not the Copyright Alliance, though its
    name ends with the other's; the Copyright Alliance's own filing still is."""
    from nlp.organizations import resolve_filer

    def filer(doc_id: str) -> tuple[str, ...]:
        row = imported_db["documents"].get(doc_id)
        assert row["organization"], doc_id
        return resolve_filer(
            organization=row["organization"],
            title=row["title"],
            submitter=row["submitter"],
            attachment_titles=[],
            text="",
        ).org_ids

    assert filer("COLC-2023-0006-8452") == ("org-library-copyright-alliance",)
    assert "copyright-alliance" not in filer("COLC-2023-0006-10292")
    found = imported_db.execute(
        "select id from documents where organization = 'Copyright Alliance' limit 1"
    ).fetchone()
    assert found and filer(found[0]) == ("copyright-alliance",)


def test_a_joint_filing_is_each_of_its_filers(imported_db):
    """A joint filing's organisation field names each filer: A2IM and the RIAA (8833),
    and with the Recording Academy their reply (10313); an organisation named only in
    parentheses is the one before it, not another filer. Every comment of the docket
    with an organisation field resolves to at most those two joint filings."""
    from nlp.organizations import resolve_filer

    def filer(organization: str) -> tuple[str, ...]:
        return resolve_filer(
            organization=organization, title=None, submitter=None, attachment_titles=[], text=""
        ).org_ids

    def field(doc_id: str) -> str:
        return str(imported_db["documents"].get(doc_id)["organization"])

    assert filer(field("COLC-2023-0006-8833")) == ("a2im", "riaa")
    assert filer(field("COLC-2023-0006-10313")) == ("a2im", "recording-academy", "riaa")
    assert filer("Recording Industry Association of America (RIAA)") == ("riaa",)
    assert filer("Google LLC (YouTube)") == ("google",)
    assert filer("Google LLC and YouTube") == ("google", "youtube")
    joint = [
        doc_id
        for doc_id, organization in imported_db.execute(
            "select id, organization from documents where organization != ''"
        )
        if len(filer(organization)) > 1
    ]
    assert sorted(joint) == ["COLC-2023-0006-10313", "COLC-2023-0006-8833"]
