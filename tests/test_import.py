"""``kb import`` of the recorded corpus and of bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kb.importer import import_paths
from kb.store import open_db


def test_import_whole_regulations_gov_corpus(imported_db):
    db = imported_db
    colc = dict(
        db.execute(
            "select kind, count(*) from documents where docket_id = 'COLC-2023-0006' group by 1"
        ).fetchall()
    )
    assert colc == {"comment": 10368, "notice": 2}
    full = db.execute(
        "select count(*) from documents where docket_id = 'COLC-2023-0006' and richness = 3"
    ).fetchone()[0]
    assert full == 499
    atts = dict(
        db.execute(
            "select a.format, count(*) from attachments a join documents d on d.id = a.document_id "
            "where d.docket_id = 'COLC-2023-0006' and a.status = 'ok' and a.seq > 0 group by 1"
        ).fetchall()
    )
    assert atts == {"pdf": 17, "txt": 35}
    assert db.execute("select count(*) from attachments where status = 'failed'").fetchone()[0] == 0
    assert db["failures"].count == 0
    # PDF attachments have page ranges inside the document text
    doc = db["documents"].get("COLC-2023-0006-9021")
    pages = json.loads(doc["pages"])
    assert len(pages) > 5
    start, end = pages[0]
    assert "Anthropic PBC" in doc["text"][start:end]
    # notices carry their published PDF as text
    assert (
        "Artificial Intelligence and Copyright"
        in db["documents"].get("COLC-2023-0006-0001")["text"]
    )


def test_reimport_changes_nothing(imported_db, corpus):
    db = imported_db
    before_events = db["events"].count
    before = db.execute("select id, text_sha, updated_at from documents order by id").fetchall()
    report = import_paths(db, [corpus / "regulations.gov"])
    assert report.documents.created == report.documents.changed == 0
    assert db["events"].count == before_events
    assert (
        db.execute("select id, text_sha, updated_at from documents order by id").fetchall()
        == before
    )


def test_richer_record_wins_in_any_order(tmp_path, colc):
    detail = colc / "documents/COLC-2023-0006-0005.json"
    text = tmp_path / "one.jsonl"
    import gzip

    with gzip.open(colc / "comment-text.jsonl.gz", "rt") as fh:
        line = next(ln for ln in fh if '"COLC-2023-0006-0005"' in ln)
    text.write_text(line)
    rows = []
    for order in ([text, detail], [detail, text]):
        db = open_db(tmp_path / f"{len(rows)}.db")
        for path in order:
            import_paths(db, [path])
        row = db["documents"].get("COLC-2023-0006-0005")
        rows.append({k: v for k, v in row.items() if k not in ("recorded_at", "updated_at")})
        assert db["documents"].count == 1
        events = db.execute("select event, upstream_date from events").fetchall()
        assert events == [("created", "2023-10-31T04:00:00Z")]
    assert rows[0] == rows[1]
    assert rows[0]["richness"] == 3 and rows[0]["title"] == "Comment from Sheremetieva, Marharyta"


def test_bad_input_reported_per_item(tmp_path, colc, corpus):
    """Corrupt, encrypted and empty PDFs, invalid JSON, a body missing required
    fields, an attachment named ../../x: each is one error; the rest loads."""
    import io

    import pypdf

    bad = tmp_path / "bad"
    docs = bad / "documents"
    docs.mkdir(parents=True)
    for n in ("0005", "0006", "0007"):
        shutil.copy(colc / f"documents/COLC-2023-0006-{n}.json", docs)
    real = (colc / "documents/COLC-2023-0006-0008.json").read_bytes()
    (docs / "COLC-2023-0006-0008.json").write_bytes(real[: len(real) // 2])  # invalid JSON
    missing = json.loads((colc / "documents/COLC-2023-0006-0009.json").read_text())
    del missing["data"]["attributes"]["documentType"]
    (docs / "COLC-2023-0006-0009.json").write_text(json.dumps(missing))
    evil = json.loads((colc / "documents/COLC-2023-0006-0006.json").read_text())
    evil["included"][0]["attributes"]["title"] = "../../x"
    (docs / "COLC-2023-0006-0006.json").write_text(json.dumps(evil))
    (docs / "empty.json").write_bytes(b"")
    pdf = next((colc / "attachments/COLC-2023-0006-9021").glob("*.pdf")).read_bytes()
    att = bad / "attachments"
    for n, data in (("0005", pdf[:5000]), ("0007", b"")):
        (att / f"COLC-2023-0006-{n}").mkdir(parents=True)
        (att / f"COLC-2023-0006-{n}" / "file.pdf").write_bytes(data)
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    (att / "COLC-2023-0006-0006").mkdir()
    (att / "COLC-2023-0006-0006" / "locked.pdf").write_bytes(buf.getvalue())
    outside = sorted(p.name for p in tmp_path.parent.iterdir())

    from click.testing import CliRunner

    from kb.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "kb.db"), "import", str(bad)])
    assert result.exit_code == 1, result.output
    db = open_db(tmp_path / "kb.db")
    assert db["documents"].count == 3  # 0005, 0006 (without the unsafe attachment), 0007
    failures = {r[0]: r[1] for r in db.execute("select item, error from failures")}
    text = "\n".join(f"{k}: {v}" for k, v in failures.items())
    for expected in (
        "invalid JSON",
        "documentType",
        "unsafe attachment name",
        "empty file",
        "corrupt PDF",
        "encrypted PDF",
    ):
        assert expected in text, text
    assert len(failures) == 7
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == outside
    assert not (Path.cwd() / "x").exists()
    # kb status shows them
    status = CliRunner().invoke(cli, ["status", "--db", str(tmp_path / "kb.db")])
    assert "encrypted PDF" in status.output and "7 failures recorded" in status.output
