"""Nothing lost: each item's rows commit together; one bad item never stops the batch.

Every malformed input here is a recorded real record, mutated in the test.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.bench.table_hash import table_hashes
from kb.cli import cli
from kb.errors import StoreUnusable
from kb.importer import Importer, import_paths
from kb.store import open_db
from kb.store.load import upsert_documents
from scrapers.regulations_gov import parse as regs


def _real_lines(colc: Path, n: int) -> list[bytes]:
    with gzip.open(colc / "comment-text.jsonl.gz", "rb") as fh:
        return [next(fh) for _ in range(n)]


def test_a_batch_commits_all_its_rows_or_none(tmp_path, colc):
    """A failure late in a load (the events insert) leaves no document, text or provenance."""
    db = open_db(tmp_path / "kb.db")
    path = colc / "documents" / "COLC-2023-0006-0006.json"
    doc = regs.load_json(path.read_bytes(), item=str(path))
    record = regs.parse_document_data(
        doc["data"], richness=3, item=str(path), included=doc["included"]
    )
    lines = _real_lines(colc, 50)
    records = [record] + [
        r
        for r in regs.parse_comment_text_lines(iter(x.decode() for x in lines), item="t")
        if not isinstance(r, Exception)
    ]
    db.execute(
        "create trigger fail_events before insert on events "
        "begin select raise(abort, 'injected failure'); end"
    )
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        upsert_documents(db, records)
    for table in ("documents", "attachments", "events", "provenance"):
        assert db[table].count == 0, table
    assert db.execute("select count(*) from documents_fts").fetchone()[0] == 0
    db.execute("drop trigger fail_events")
    stats = upsert_documents(db, records)
    ids = {r.id for r in records}
    assert stats.created == len(ids) == db["documents"].count
    created = db.execute("select count(*) from events where event = 'created'").fetchone()[0]
    assert created == len(ids)
    assert db["attachments"].count > 0
    assert db.execute("select count(*) from documents where text is null").fetchone()[0] == 0


def _mutated_jsonl(colc: Path, folder: Path) -> tuple[Path, dict[int, str]]:
    """Real comment-text lines, some made bad; returns the file and line → expected reason."""
    lines = _real_lines(colc, 120)
    bad: dict[int, str] = {}

    def mutate(n: int, reason: str, fn) -> None:
        obj = json.loads(lines[n - 1])
        out = fn(obj)
        lines[n - 1] = (out if isinstance(out, bytes) else json.dumps(out).encode()) + b"\n"
        bad[n] = reason

    mutate(5, "comment is not text", lambda o: {**o, "comment": 12345})
    mutate(9, "invalid JSON", lambda o: json.dumps(o).encode()[:40])
    mutate(
        15,
        "nested too deeply",
        lambda o: (
            b'{"id": "%s", "comment": %s%s}' % (o["id"].encode(), b"[" * 200_000, b"]" * 200_000)
        ),
    )
    mutate(
        21, "not UTF-8", lambda o: json.dumps(o).encode().replace(b'"comment"', b'"comm\xffent"')
    )
    mutate(
        30,
        "surrogates not allowed",
        lambda o: json.dumps(o).replace('"comment": "', '"comment": "\\ud800', 1).encode(),
    )
    mutate(33, "line has no comment field", lambda o: {"id": o["id"]})
    path = folder / "comment-text.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    return path, bad


def test_jsonl_imports_every_good_line_and_names_bad_ones(tmp_path, colc):
    folder = tmp_path / "in"
    folder.mkdir()
    path, bad = _mutated_jsonl(colc, folder)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "kb.db"), "import", str(folder)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    db = open_db(tmp_path / "kb.db")
    assert db["documents"].count == 120 - len(bad)
    failures = {r["item"]: r for r in db.query("select * from failures")}
    for n, reason in bad.items():
        key = f"{path}:{n}"
        assert key in failures, (n, sorted(failures))
        assert reason in failures[key]["error"], failures[key]
        assert "\n" not in failures[key]["error"]
    assert len(failures) == len(bad)


def test_truncated_gzip_imports_its_complete_lines(tmp_path, colc):
    data = (colc / "comment-text.jsonl.gz").read_bytes()
    folder = tmp_path / "in"
    folder.mkdir()
    cut = folder / "comment-text.jsonl.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    complete = 0
    with gzip.open(cut, "rb") as fh:
        try:
            for line in fh:
                complete += line.endswith(b"\n") and bool(line.strip())
        except EOFError:
            pass
    assert complete > 1000
    report = import_paths(open_db(tmp_path / "kb.db"), [folder])
    db = open_db(tmp_path / "kb.db")
    assert db["documents"].count == complete
    errors = [str(e) for e in report.errors]
    assert len(errors) == 1 and "cut short: truncated gzip stream" in errors[0], errors
    assert errors[0].startswith(f"{cut}:{complete + 1}:")


def _mutated_documents(colc: Path, folder: Path) -> list[str]:
    """Five real detail documents untouched, five with a field of the wrong type or size."""
    docs = folder / "documents"
    docs.mkdir(parents=True)
    names = [f"COLC-2023-0006-{n:04d}.json" for n in range(5, 15)]
    for name in names[:5]:
        shutil.copy(colc / "documents" / name, docs)
    mutations = [
        lambda d: d["data"]["attributes"].update(pageCount=10**30),
        lambda d: d.update(included="not a list"),
        lambda d: d["data"]["attributes"].update(fileFormats={"fileUrl": 3}),
        lambda d: d["data"]["attributes"].update(docOrder="first"),
        lambda d: d["data"]["attributes"].update(title=["a", "list"]),
    ]
    for name, mutate in zip(names[5:], mutations, strict=True):
        doc = json.loads((colc / "documents" / name).read_text())
        mutate(doc)
        (docs / name).write_text(json.dumps(doc))
    return [n.removesuffix(".json") for n in names]


def test_wrong_types_are_recorded_and_the_batch_goes_on(tmp_path, colc):
    ids = _mutated_documents(colc, tmp_path / "in")
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "kb.db"), "import", str(tmp_path / "in")]
    )
    assert "Traceback" not in result.output
    db = open_db(tmp_path / "kb.db")
    held = {r["id"] for r in db.query("select id from documents")}
    assert set(ids[:5]) <= held
    failed = {r["item"]: r["error"] for r in db.query("select item, error from failures")}
    assert "too large" in failed[ids[5]]  # pageCount 10^30, refused when loaded
    assert "AttributeError" in failed[str(tmp_path / "in" / "documents" / f"{ids[6]}.json")]
    assert held == set(ids) - set(ids[5:7])  # the other wrong types are read leniently
    assert result.exit_code == 1
    for error in failed.values():
        assert "\n" not in error and len(error) <= 400


def test_full_disk_stops_naming_the_item_and_the_next_run_repairs(tmp_path, corpus):
    src = corpus / "regulations.gov"
    clean = open_db(tmp_path / "clean.db")
    import_paths(clean, [src])
    clean.conn.close()
    db = open_db(tmp_path / "kb.db")
    pages = db.execute("pragma page_count").fetchone()[0]
    db.execute(f"pragma max_page_count = {pages + 400}")
    with pytest.raises(StoreUnusable, match=r"database or disk unusable: .*full") as info:
        Importer(db).run([src])
    assert info.value.item
    db.conn.close()
    open_db(tmp_path / "kb.db")  # a new connection: the disk has room again
    import_paths(open_db(tmp_path / "kb.db"), [src])
    a, b = table_hashes(tmp_path / "clean.db"), table_hashes(tmp_path / "kb.db")
    assert {k for k in a if a[k] != b.get(k)} == set()


def test_an_unusable_database_has_its_own_exit_status(tmp_path, colc):
    """Not 'some items failed' (1): the database itself cannot be used (3)."""
    broken = tmp_path / "kb.db"
    broken.write_bytes((colc / "documents" / "COLC-2023-0006-0005.json").read_bytes())
    result = CliRunner().invoke(cli, ["--db", str(broken), "import", str(colc / "documents")])
    assert result.exit_code == 3, result.output
    assert "file is not a database" in result.output
    assert "the database or the disk is unusable" in result.output
    assert "Traceback" not in result.output


def test_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "kb.db"), "import", str(tmp_path / "empty")]
    )
    assert result.exit_code == 1
    assert "no files to import" in result.output
