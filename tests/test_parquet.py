"""``kb export KIND --format parquet``: datasets partitioned by docket that DuckDB reads
back as they are, holding exactly the records of the JSON-lines export."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")


def _export(db_path: Path, kind: str, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", kind, *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _parquet(db_path: Path, kind: str, out: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(db_path), "export", kind, "--format", "parquet", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output


def _dataset(out: Path, kind: str) -> list[dict]:
    rel = duckdb.sql(
        f"select * from read_parquet('{out / kind}/**/*.parquet', hive_partitioning = true)"
    )
    return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def _same(value):
    """A Parquet cell as the JSON-lines export has it (lists and objects are JSON text)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


@pytest.mark.parametrize("kind", ["documents", "events"])
def test_partitioned_datasets_hold_the_export_exactly(imported_db, tmp_path, kind):
    db_path = Path(imported_db.conn.execute("pragma database_list").fetchone()[2])
    expected = _export(db_path, kind)
    _parquet(db_path, kind, tmp_path / "pq")
    got = _dataset(tmp_path / "pq", kind)
    assert len(got) == len(expected) > 10_000
    key = "id"
    by_key = {str(r[key]): r for r in got}
    for record in expected:
        row = by_key[str(record[key])]
        assert {k: _same(v) for k, v in record.items()} == {k: row[k] for k in record}
    # One folder per docket, named as Hive and Spark name them.
    folders = {p.name for p in (tmp_path / "pq" / kind).iterdir()}
    dockets = Counter(r["docket_id"] for r in expected)
    assert "docket_id=COLC-2023-0006" in folders
    assert len(folders) == len(dockets)
    counted = dict(
        duckdb.sql(
            f"select docket_id, count(*) from read_parquet('{tmp_path / 'pq' / kind}/**/*.parquet',"
            " hive_partitioning = true) group by 1"
        ).fetchall()
    )
    assert counted == dict(dockets)


def test_a_kind_without_parquet_or_a_dataset_without_folder_is_refused(imported_db, tmp_path):
    db_path = Path(imported_db.conn.execute("pragma database_list").fetchone()[2])
    refused = CliRunner().invoke(
        cli,
        ["--db", str(db_path), "export", "bills", "--format", "parquet", "--out", str(tmp_path)],
    )
    assert refused.exit_code == 2 and "no Parquet form of 'bills'" in refused.output
    no_out = CliRunner().invoke(
        cli, ["--db", str(db_path), "export", "events", "--format", "parquet"]
    )
    assert no_out.exit_code == 2 and "--out" in no_out.output


@pytest.mark.slow
def test_positions_carry_their_documents_docket(tagged_db, tmp_path):
    db_path = Path(tagged_db.conn.execute("pragma database_list").fetchone()[2])
    expected = _export(db_path, "positions")
    _parquet(db_path, "positions", tmp_path)
    got = _dataset(tmp_path, "positions")
    assert len(got) == len(expected) > 1000
    docket = dict(tagged_db.execute("select id, docket_id from documents").fetchall())
    key = lambda r: (r["document_id"], r["holder"], r["issue"])  # noqa: E731
    by_key = {key(r): r for r in got}
    for record in expected:
        row = by_key[key(record)]
        assert row["docket_id"] == docket[record["document_id"]]
        assert row["confidence"] == pytest.approx(record["confidence"])
        assert json.loads(row["quotes"]) == record["quotes"]
    # Organisations belong to no one docket: one file.
    organizations = _export(db_path, "organizations")
    _parquet(db_path, "organizations", tmp_path)
    rows = duckdb.sql(f"select id from '{tmp_path / 'organizations.parquet'}'").fetchall()
    assert sorted(r[0] for r in rows) == sorted(r["id"] for r in organizations)
    assert len(rows) > 100
